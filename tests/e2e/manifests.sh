#!/usr/bin/env bash
# Offline checks of the deployment files (ctest e2e_manifests; no container engine needed):
#   docker-compose config (the v1 tool) on docker-compose.yml, as written and scaled;
#   haproxy -c on the load balancer's configuration;
#   kubectl kustomize of deploy/k8s/base and every overlay, each render validated by
#   k8s/validate.mjs (Kubernetes schemas via npm kubernetes-models, plus our policy);
#   validate.mjs's self-test: a render breaking every rule must fail with each message.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
k8s=$root/tests/e2e/k8s
cd "$root"

# The npm packages, pinned by package-lock.json, in tests/e2e/k8s/node_modules.
if [ ! -f "$k8s/node_modules/kubernetes-models/package.json" ]; then
  (cd "$k8s" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "== docker-compose config"
export MAILROOM_ADMIN_PASSWORD=validate-only
docker-compose -f docker-compose.yml config -q
scaled=$(MAILROOM_SMTP_REPLICAS=2 MAILROOM_IMAP_REPLICAS=3 MAILROOM_POP3_REPLICAS=2 \
  docker-compose -f docker-compose.yml config)
for want in "replicas: 2" "replicas: 3"; do
  grep -q "$want" <<<"$scaled" || { echo "scaled config lacks '$want'" >&2; exit 1; }
done
if grep -q "container_name" docker-compose.yml; then
  echo "docker-compose.yml: fixed container names break --scale" >&2
  exit 1
fi
echo "ok"

echo "== haproxy -c"
haproxy -c -q -f deploy/compose/haproxy.cfg && echo "ok"

for dir in deploy/k8s/base deploy/k8s/overlays/*; do
  echo "== kubectl kustomize $dir"
  flags=()
  [ "$(basename "$dir")" = production ] && flags=(--production)
  kubectl kustomize "$dir" | node "$k8s/validate.mjs" "${flags[@]}"
done

echo "== validate.mjs self-test"
if out=$(node "$k8s/validate.mjs" --production <"$k8s/testdata/bad.yaml"); then
  echo "validate.mjs accepted testdata/bad.yaml" >&2
  exit 1
fi
for want in "replicas must be integer" "uses the latest tag" "runAsNonRoot is not set" \
    "root filesystem is writable" "no limits.memory" "no readinessProbe" "no livenessProbe" \
    "terminationGracePeriodSeconds" "no PodDisruptionBudget" "without a HorizontalPodAutoscaler" \
    "placeholder secret" "unknown apiVersion"; do
  grep -q -- "$want" <<<"$out" || { echo "self-test: no '$want' in:" >&2; echo "$out" >&2; exit 1; }
done
echo "ok"
