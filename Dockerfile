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
ENV FAKEALIANZA_HTTP_ADDR=:8080 FAKEALIANZA_SFTP_ADDR=:10022
EXPOSE 8080 10022
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 CMD ["/usr/local/bin/fakealianza", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/fakealianza"]
CMD ["serve"]
