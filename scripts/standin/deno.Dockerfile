# LOCAL STAND-IN for denoland/deno:2.9.6, built by scripts/standin-images.sh for the container test
# (no registry is reachable here). Never push it: it only mimics what tradewatch's Dockerfile uses
# from the real image: Debian bookworm, /usr/bin/deno 2.9.6, a `deno` user (uid 1993) and
# DENO_DIR=/deno-dir. It also carries the build host's CA bundle so that `deno install` can reach
# npm through the host's TLS-intercepting proxy, if there is one.
FROM tradewatch-ci/bookworm-minbase:latest
COPY deno /usr/bin/deno
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN chmod 0755 /usr/bin/deno \
 && groupadd --gid 1993 deno \
 && useradd --uid 1993 --gid deno --no-create-home --home-dir /deno-dir --shell /bin/sh deno \
 && mkdir -p /deno-dir \
 && chown deno:deno /deno-dir \
 && deno --version
ENV DENO_DIR=/deno-dir/ \
    DENO_INSTALL_ROOT=/usr/local \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
LABEL org.opencontainers.image.description="Local stand-in for denoland/deno:2.9.6 (tradewatch tests only)"
ENTRYPOINT ["deno"]
CMD ["--version"]
