# Tally: `python app.py serve --workers N` (HTTP under gunicorn) or `python app.py scheduler`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TALLY_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app.py cli.py config.py doctor.py wiring.py manifest.yml ./
COPY bot bot
COPY core core
COPY db db
COPY tools tools
COPY evals evals
COPY prompts prompts
RUN pip install --no-cache-dir . && useradd --create-home tally && mkdir -p /data && chown tally /data
USER tally
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)"
CMD ["python", "app.py", "serve", "--workers", "2"]
