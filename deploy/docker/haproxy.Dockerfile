# The TCP load balancer in front of the compose front ends: Debian's HAProxy, non-root, with
# its configuration mounted at the path the official haproxy image uses
# (/usr/local/etc/haproxy/haproxy.cfg), so either image works with deploy/compose/haproxy.cfg.
ARG DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends haproxy \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /usr/local/etc/haproxy
USER haproxy
# -W: master-worker (reloads on SIGUSR2), -db: stay in the foreground, log to stdout.
ENTRYPOINT ["haproxy", "-W", "-db"]
CMD ["-f", "/usr/local/etc/haproxy/haproxy.cfg"]
STOPSIGNAL SIGUSR1
