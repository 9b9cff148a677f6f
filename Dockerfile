# syntax=docker/dockerfile:1
# The billing job's image: a static binary on distroless, non-root, no shell.
# Build: docker build --build-arg VERSION=$(git describe --always --dirty) -t IMAGE .
# (or gcloud builds submit --tag IMAGE; see deploy/gcp/README.md).

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/tyomatka ./cmd/tyomatka

# static-debian12 carries CA certificates and tzdata (Europe/Helsinki) and
# nothing to run a shell with.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tyomatka /tyomatka
COPY jobs/cloud/ /etc/tyomatka/jobs/
USER nonroot:nonroot
ENTRYPOINT ["/tyomatka"]
CMD ["run-all", "--jobs", "/etc/tyomatka/jobs"]
