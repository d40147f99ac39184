#!/bin/sh
# Creates a private CA and a serving certificate for the phiguard webhook, stores them in the Secret the
# Deployment mounts, and writes the CA into the ValidatingWebhookConfiguration. Use it instead of
# certificate.yaml when cert-manager is not installed. Needs openssl and kubectl.
#
#   deploy/gen-certs.sh [namespace] [days]
#
# Run it again before the certificate expires (default 90 days): phiguard re-reads the mounted files when the
# Secret changes, without a restart and without dropping connections.
set -eu
ns="${1:-phiguard-system}"
days="${2:-90}"
svc="phiguard"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
umask 077

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/CN=phiguard-webhook-ca" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=$svc.$ns.svc" -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local\nextendedKeyUsage=serverAuth\n' \
  "$svc" "$ns" "$svc" "$ns" > "$dir/ext"
openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -days "$days" -extfile "$dir/ext" -out "$dir/tls.crt" 2>/dev/null

kubectl -n "$ns" create secret tls phiguard-webhook-tls --cert="$dir/tls.crt" --key="$dir/tls.key" \
  --dry-run=client -o yaml | kubectl apply -f -
ca_bundle="$(base64 < "$dir/ca.crt" | tr -d '\n')"
kubectl patch validatingwebhookconfiguration phiguard --type=json \
  -p "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$ca_bundle\"}]"
echo "phiguard webhook certificate issued for $svc.$ns.svc, valid $days days"
