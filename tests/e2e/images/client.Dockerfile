# The e2e test's mail client: Python's smtplib, poplib and imaplib (tests/e2e/client.py,
# mounted at run time), on the compose network beside the replicas it talks to.
ARG DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/*
USER 10002:10002
ENTRYPOINT ["python3"]
