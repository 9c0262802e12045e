# The release image: GoReleaser (dockers_v2) builds the binaries and places
# each platform's in the build context as $TARGETPLATFORM/fakealianza. The
# run stage is the same as the Dockerfile's (a test keeps them equal).
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/fakealianza /usr/local/bin/fakealianza
USER nonroot:nonroot
# The binary listens on 127.0.0.1 by default; in a container every interface.
ENV FAKEALIANZA_HTTP_ADDR=:8080 FAKEALIANZA_HTTPS_ADDR=:8443 FAKEALIANZA_SFTP_ADDR=:10022
EXPOSE 8080 8443 10022
# During the start period the check runs every 100ms, so the container is
# healthy within a fraction of a second of being ready (Docker 25+).
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --start-interval=100ms --retries=3 CMD ["/usr/local/bin/fakealianza", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/fakealianza"]
CMD ["serve"]
