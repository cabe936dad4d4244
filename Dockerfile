# syntax=docker/dockerfile:1

# Build a static binary (pure-Go SQLite, so no cgo).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/vendorwatch ./cmd/vendorwatch

# Run as the distroless "nonroot" user (uid 65532). Without
# VW_DATABASE_URL the SQLite file lives in /home/nonroot/data; mount a
# volume there to keep it.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vendorwatch /vendorwatch
WORKDIR /home/nonroot
ENV VW_DATA_DIR=/home/nonroot/data
EXPOSE 8080
ENTRYPOINT ["/vendorwatch"]
CMD ["serve"]
