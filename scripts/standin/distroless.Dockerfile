# LOCAL STAND-IN for gcr.io/distroless/cc-debian12:nonroot, built by scripts/standin-images.sh for
# the container test (no registry is reachable here). Like the real image it has glibc, libgcc_s,
# CA certificates, /etc/passwd with root, nonroot (65532) and nobody, a 1777 /tmp, and NO shell:
# an image built on it proves that the entrypoint and HEALTHCHECK need no /bin/sh.
FROM tradewatch-ci/bookworm-minbase:latest AS stage
RUN set -eu; \
    s=/stage; l=usr/lib/x86_64-linux-gnu; \
    mkdir -p "$s/$l" "$s/usr/lib64" "$s/etc/ssl/certs" "$s/tmp" "$s/home/nonroot" "$s/root"; \
    for f in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 \
             libgcc_s.so.1 libresolv.so.2 libnss_files.so.2 libnss_dns.so.2; do \
      cp -L "/$l/$f" "$s/$l/$f"; \
    done; \
    ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$s/usr/lib64/ld-linux-x86-64.so.2"; \
    ln -s usr/lib "$s/lib"; ln -s usr/lib64 "$s/lib64"; \
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$s/etc/passwd"; \
    printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' > "$s/etc/group"; \
    printf 'hosts: files dns\n' > "$s/etc/nsswitch.conf"; \
    cp /etc/os-release "$s/etc/os-release"; \
    chmod 1777 "$s/tmp"; chmod 0700 "$s/root"; chown 65532:65532 "$s/home/nonroot"
COPY ca-certificates.crt /stage/etc/ssl/certs/ca-certificates.crt

FROM scratch
COPY --from=stage /stage/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/nonroot
LABEL org.opencontainers.image.description="Local stand-in for gcr.io/distroless/cc-debian12:nonroot (tradewatch tests only)"
