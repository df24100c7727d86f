# LOCAL STAND-INS for the images compose.replicas.yaml pins (postgres:15, redis:7,
# quay.io/prometheuscommunity/postgres-exporter, oliver006/redis_exporter), built by
# scripts/standin-images.sh (DATABASE_IMAGES=1) for the scaled-out compose test: no registry is
# reachable here. They run Debian bookworm's own packages (PostgreSQL 15, Redis 7, the two
# exporters), with the entry points and environment variables that compose.replicas.yaml uses
# (POSTGRES_USER/PASSWORD/DB, DATA_SOURCE_NAME, REDIS_ADDR). Never push them.
FROM tradewatch-ci/bookworm-minbase:latest AS base
RUN apt-get -o Acquire::Check-Valid-Until=false update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      postgresql-15 redis-server prometheus-postgres-exporter prometheus-redis-exporter \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /var/lib/postgresql/15/main /etc/postgresql/15/main

FROM base AS postgres
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 0755 /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
VOLUME ["/var/lib/postgresql/data"]
EXPOSE 5432
LABEL org.opencontainers.image.description="Local stand-in for postgres:15 (tradewatch tests only)"
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]

FROM base AS redis
# The official image turns protected mode off (it is reached over the compose network).
RUN printf '#!/bin/sh\n[ "$1" = redis-server ] && { shift; exec redis-server --protected-mode no "$@"; }\nexec "$@"\n' \
      > /usr/local/bin/docker-entrypoint.sh \
 && chmod 0755 /usr/local/bin/docker-entrypoint.sh
USER redis
EXPOSE 6379
LABEL org.opencontainers.image.description="Local stand-in for redis:7 (tradewatch tests only)"
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["redis-server"]

FROM base AS postgres_exporter
USER nobody
EXPOSE 9187
LABEL org.opencontainers.image.description="Local stand-in for postgres-exporter (tradewatch tests only)"
ENTRYPOINT ["/usr/bin/prometheus-postgres-exporter"]

FROM base AS redis_exporter
USER nobody
EXPOSE 9121
LABEL org.opencontainers.image.description="Local stand-in for redis_exporter (tradewatch tests only)"
ENTRYPOINT ["/usr/bin/prometheus-redis-exporter"]
