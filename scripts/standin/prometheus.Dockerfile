# LOCAL STAND-IN for the prom/prometheus image that compose.yaml pins, built by
# scripts/standin-images.sh for the compose test (no registry is reachable here). It carries
# THIS HOST'S Prometheus (Debian's, 2.x), not the pinned 3.x release: it proves the stack's
# wiring (mounts, rule_files path, service names, ports), not Prometheus 3 compatibility.
# Layout as in the real image: /bin/prometheus, /etc/prometheus, /prometheus owned by nobody.
FROM tradewatch-ci/bookworm-minbase:latest
COPY prometheus /bin/prometheus
RUN chmod 0755 /bin/prometheus \
 && mkdir -p /etc/prometheus /prometheus \
 && printf 'scrape_configs: []\n' > /etc/prometheus/prometheus.yml \
 && chown -R nobody:nogroup /etc/prometheus /prometheus \
 && /bin/prometheus --version
USER nobody
WORKDIR /prometheus
EXPOSE 9090
VOLUME ["/prometheus"]
LABEL org.opencontainers.image.description="Local stand-in for prom/prometheus, runs the host's Prometheus (tradewatch tests only)"
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
