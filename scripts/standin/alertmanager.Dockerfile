# LOCAL STAND-IN for the prom/alertmanager image that compose.yaml pins, built by
# scripts/standin-images.sh for the compose test (no registry is reachable here). It carries
# THIS HOST'S Alertmanager (Debian's), not the pinned release: it proves the stack's wiring only.
# Layout as in the real image: /bin/alertmanager, /etc/alertmanager, /alertmanager owned by nobody.
FROM tradewatch-ci/bookworm-minbase:latest
COPY alertmanager /bin/alertmanager
COPY alertmanager-share /usr/share/prometheus/alertmanager
RUN chmod 0755 /bin/alertmanager \
 && mkdir -p /etc/alertmanager /alertmanager \
 && printf 'route:\n  receiver: default\nreceivers:\n  - name: default\n' > /etc/alertmanager/alertmanager.yml \
 && chown -R nobody:nogroup /etc/alertmanager /alertmanager \
 && /bin/alertmanager --version
USER nobody
WORKDIR /alertmanager
EXPOSE 9093
VOLUME ["/alertmanager"]
LABEL org.opencontainers.image.description="Local stand-in for prom/alertmanager, runs the host's Alertmanager (tradewatch tests only)"
ENTRYPOINT ["/bin/alertmanager"]
CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]
