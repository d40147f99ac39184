# phiguard as a static binary on a distroless base, running as non-root.
#
#   docker build -t phiguard .
#   docker run --rm -v "$PWD:/work:ro" phiguard scan /work/deploy
#
# Stage 1 builds a fully static musl binary (ring and rustls need no system libraries).
FROM docker.io/library/rust:1-bookworm AS build
RUN rustup target add x86_64-unknown-linux-musl \
 && apt-get update && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
RUN cargo build --release --locked --target x86_64-unknown-linux-musl -p phiguard \
 && install -D -m 0755 target/x86_64-unknown-linux-musl/release/phiguard /out/phiguard

# Stage 2: no shell, no package manager; UID/GID 65532 ("nonroot").
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/phiguard /usr/local/bin/phiguard
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/phiguard"]
CMD ["serve", "--cert=/etc/phiguard/tls/tls.crt", "--key=/etc/phiguard/tls/tls.key", "--config=/etc/phiguard/config/phiguard.toml"]
