# syntax=docker/dockerfile:1

# Build a static binary (pure-Go SQLite, so no cgo), and the data
# directory the final image needs: distroless has no shell to make it.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/vendorwatch ./cmd/vendorwatch
RUN mkdir -p /out/root/data && chown 65532:65532 /out/root/data

# Run as the distroless "nonroot" user (uid and gid 65532). The data
# directory /data (the SQLite file without VW_DATABASE_URL, evidence files,
# report files) exists in the image owned by that user, so a named volume
# mounted there starts with the same owner and stays writable.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vendorwatch /vendorwatch
COPY --from=build --chown=65532:65532 /out/root/ /
USER 65532:65532
WORKDIR /data
ENV VW_DATA_DIR=/data VW_HTTP_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
# No shell or curl here: the binary asks /readyz itself.
HEALTHCHECK --interval=5s --timeout=4s --start-period=10s --retries=12 CMD ["/vendorwatch", "healthcheck"]
ENTRYPOINT ["/vendorwatch"]
CMD ["serve"]
