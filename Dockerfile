# keepwarm in a container: a multi-stage build whose final image holds the release binary, glibc
# and CA certificates, and nothing else (no shell, no package manager), running as a non-root user.
#
#   docker build -t keepwarm .
#   docker run -d --name keepwarm -p 127.0.0.1:8080:8080 \
#     -v keepwarm-data:/var/lib/keepwarm -v /etc/keepwarm/config:/etc/keepwarm/config:ro \
#     --env-file /etc/keepwarm/keepwarm.env keepwarm
#
# The database lives in the /var/lib/keepwarm volume; configuration is mounted read-only. `docker
# stop` sends SIGTERM: keepwarm finishes requests in flight and its current batch within
# KEEPWARM_SHUTDOWN_GRACE (30s by default) and exits 0, so give `docker stop -t` a little more.
# See docs/deploy.md. (This file was written without Docker at hand: build it once before relying
# on it.)

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p keepwarm \
 && install -D -m 0755 target/release/keepwarm /out/keepwarm \
 && install -d -m 0755 /out/data

# distroless/cc: glibc, libgcc, CA certificates and a `nonroot` user (uid 65532); no shell.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/keepwarm /usr/local/bin/keepwarm
COPY --from=build --chown=65532:65532 /out/data /var/lib/keepwarm
USER 65532:65532
ENV KEEPWARM_DB=sqlite:///var/lib/keepwarm/keepwarm.db \
    KEEPWARM_CONFIG=/etc/keepwarm/config \
    KEEPWARM_LISTEN=0.0.0.0:8080 \
    KEEPWARM_LOG_FORMAT=json
VOLUME ["/var/lib/keepwarm"]
EXPOSE 8080
STOPSIGNAL SIGTERM
# `keepwarm ready` asks GET /readyz (database answers, every live transport up); there is no curl.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/keepwarm", "ready", "--url", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["/usr/local/bin/keepwarm"]
CMD ["serve"]
