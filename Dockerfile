# tradewatch container images. Targets, in the order the classic builder builds them:
#
#   deps     deno.json + deno.lock + source, npm packages installed with `deno install --frozen`
#   run      the same program under `deno run --cached-only` (debuggable, has a shell)
#   compile  `deno task compile`: one self-contained executable
#   final    (default) that executable alone on gcr.io/distroless/cc-debian12, non-root (65532)
#
#   docker build -t tradewatch .                      # final, distroless
#   docker build --target run -t tradewatch:run .     # deno run, on the Deno image
#
# `deno compile` downloads `denort` for the target; where that download is impossible, the
# packaging step can still be exercised with --build-arg DENORT_BIN=/bin/true (the result is not
# runnable). The stage order matters: the classic builder builds every stage up to the target, so
# `run` comes before `compile` and `docker build --target run` never needs denort.
# Base images are pinned by tag; pin them by digest (name:tag@sha256:...) where you can pull them.

ARG DENO_VERSION=2.9.6

FROM denoland/deno:${DENO_VERSION} AS deps
ENV DENO_DIR=/deno-dir/ \
    DENO_NO_UPDATE_CHECK=1 \
    DENO_NO_PROMPT=1
WORKDIR /app
# Dependencies first, so that a change to the source does not re-download npm packages.
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY main.ts ./
COPY src/ ./src/
# The game-day table (--loadgen --game-day) lives next to the alert rules it maps.
COPY configs/alert_faults.ts ./configs/
# Resolve and cache the whole module graph of main.ts (the modes are imported dynamically).
RUN deno install --frozen --entrypoint main.ts \
 && mkdir -p /data \
 && chown deno:deno /data

FROM deps AS run
ENV HOST=0.0.0.0 \
    PORT=8000 \
    TRADEWATCH_DB=/data/tradewatch.db
# The code, node_modules and the npm cache stay root-owned; the service writes /data (and Deno's
# code cache in DENO_DIR, which the base image gives to the deno user).
USER deno
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 \
  CMD ["deno", "run", "--v8-flags=--max-semi-space-size=4", "--cached-only", "--frozen", "--allow-net", "--allow-env", "main.ts", "--healthcheck"]
ENTRYPOINT ["deno", "run", "--v8-flags=--max-semi-space-size=4", "--cached-only", "--frozen", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-sys", "--allow-ffi=/lib/x86_64-linux-gnu/libc.so.6,/lib/aarch64-linux-gnu/libc.so.6", "main.ts"]

FROM deps AS compile
# Unset unless passed with --build-arg (an empty DENORT_BIN would break deno compile).
ARG DENORT_BIN
# `deno task compile` carries the flags, including the exclusion of bintrees' test data (its
# test/perf/100k file overflows deno compile's stack).
RUN deno task compile \
 && mkdir -p /out \
 && cp dist/tradewatch /out/tradewatch

FROM gcr.io/distroless/cc-debian12:nonroot AS final
LABEL org.opencontainers.image.title="tradewatch" \
      org.opencontainers.image.description="A trading API that is born observable: one executable, Prometheus metrics on /metrics"
COPY --from=compile /out/tradewatch /usr/local/bin/tradewatch
COPY --from=compile --chown=65532:65532 /data /data
ENV HOST=0.0.0.0 \
    PORT=8000 \
    TRADEWATCH_DB=/data/tradewatch.db
USER 65532:65532
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# distroless has no shell and no curl: the executable probes itself.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/tradewatch", "--healthcheck"]
ENTRYPOINT ["/usr/local/bin/tradewatch"]
