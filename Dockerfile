# The Airflow image of the customer-analytics warehouse: the official Airflow 3.3.2 image plus this
# project's package (`analytics`, its `analytics` command, SQL files and alembic migrations) and DAGs.
# Built by docker-compose.yml; see .env.example for the settings it needs at run time.
FROM apache/airflow:3.3.2-python3.11

# /opt/analytics holds the project; group 0 writable like the rest of the image, so the containers can
# run under any AIRFLOW_UID. The landing folder is a mount point (docker-compose: ./landing).
USER root
RUN install -d -o airflow -g 0 -m 0775 /opt/analytics /opt/analytics/landing
USER airflow
WORKDIR /opt/analytics

# alembic.ini* : the glob keeps the build working while the project has no alembic.ini of its own.
COPY --chown=airflow:0 pyproject.toml constraints.txt README.md alembic.ini* ./
COPY --chown=airflow:0 analytics/ analytics/
COPY --chown=airflow:0 sql/ sql/
COPY --chown=airflow:0 migrations/ migrations/

# Exact versions from constraints.txt, which pins apache-airflow to this image's 3.3.2, so pip keeps the
# image's Airflow. Editable (-e) on purpose: `analytics` finds sql/, migrations/ and alembic.ini next to
# its package folder (analytics.config.PROJECT_ROOT), which a plain install into site-packages breaks.
RUN pip install --no-cache-dir -c constraints.txt -e .

# The DAGs are baked in; docker-compose.yml also mounts ./dags over them for development.
COPY --chown=airflow:0 dags/ /opt/airflow/dags/

ENV ANALYTICS_LANDING_DIR=/opt/analytics/landing
