# syntax=docker/dockerfile:1
# Build: a static binary (no cgo), so the final image needs no libc.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X github.com/fakealianza/fakealianza.Version=${VERSION}" -o /out/fakealianza ./cmd/fakealianza

# Run: distroless static, non-root, no shell and no curl; the binary checks
# its own health.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/fakealianza /usr/local/bin/fakealianza
USER nonroot:nonroot
# The binary listens on 127.0.0.1 by default; in a container every interface.
ENV FAKEALIANZA_HTTP_ADDR=:8080 FAKEALIANZA_HTTPS_ADDR=:8443 FAKEALIANZA_SFTP_ADDR=:10022
EXPOSE 8080 8443 10022
# During the start period the check runs every 100ms, so the container is
# healthy within a fraction of a second of being ready (Docker 25+).
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --start-interval=100ms --retries=3 CMD ["/usr/local/bin/fakealianza", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/fakealianza"]
CMD ["serve"]
