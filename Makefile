# TyöMatka billing bot. `make run` runs the default job on the committed
# sample; `make test` runs every test (what CI runs).
GO        ?= go
BIN       := bin/tyomatka
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo devel)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# A fixed development key so the sample run needs no setup; never use it for real data.
SAMPLE_KEY ?= sample-pseudonym-key-not-for-production
PERIOD    ?= 2026-10
AS_OF     ?= 2026-11-20

.PHONY: build run test vet fmt lint sample fuzz bench image clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/tyomatka

run: build
	TYOMATKA_PSEUDONYM_KEY=$${TYOMATKA_PSEUDONYM_KEY:-$(SAMPLE_KEY)} ./$(BIN) run --config jobs/lahti.toml --period $(PERIOD) --as-of $(AS_OF) --dry-run --log text

test:
	$(GO) vet ./...
	$(GO) test -count=1 $(TESTFLAGS) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# Regenerate the committed sample (deterministic).
sample:
	$(GO) run ./cmd/tyomatka generate -clients 60 -months 12 -last 2026-10 -seed 1 -messy -out testdata/sample

# Each fuzz target for FUZZTIME (go test runs one target per invocation).
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./internal/hetu
	for f in FuzzParseDate FuzzParseNumber FuzzParseMonth FuzzDateFromSerial; do \
		$(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) ./internal/cellvalue || exit 1; \
	done
	$(GO) test -run='^$$' -fuzz='^FuzzReadXLSX$$' -fuzztime=$(FUZZTIME) ./internal/sheet
	$(GO) test -run='^$$' -fuzz='^FuzzFastMatchesXML$$' -fuzztime=$(FUZZTIME) ./internal/sheet
	$(GO) test -run='^$$' -fuzz='^FuzzNumberMatchesCell$$' -fuzztime=$(FUZZTIME) ./internal/accrual

# The container image (see deploy/gcp/README.md). Uses a Docker engine when
# one answers, else Cloud Build when gcloud is installed, has a project set and
# IMAGE is in Artifact Registry or Container Registry (a local tag cannot be
# pushed there); otherwise builds the static binary the image would hold and
# says why. IMAGE is e.g. europe-north1-docker.pkg.dev/PROJECT/tyomatka/tyomatka:$(VERSION).
IMAGE ?= tyomatka:$(VERSION)
image:
	@if docker info >/dev/null 2>&1; then \
		docker build --build-arg VERSION=$(VERSION) -t $(IMAGE) . ; \
		exit $$? ; \
	fi ; \
	if command -v docker >/dev/null 2>&1; then why="docker is installed but no engine answers (docker info failed)"; \
	else why="no docker"; fi ; \
	if ! command -v gcloud >/dev/null 2>&1; then why="$$why; no gcloud"; \
	else \
		project=$$(gcloud config get-value project 2>/dev/null) ; \
		case "$(IMAGE)" in *-docker.pkg.dev/*|gcr.io/*|*.gcr.io/*) registry=yes ;; *) registry= ;; esac ; \
		if [ -z "$$project" ]; then why="$$why; gcloud has no project (gcloud config set project PROJECT)"; \
		elif [ -z "$$registry" ]; then why="$$why; IMAGE=$(IMAGE) is not in a pkg.dev or gcr.io registry, so Cloud Build cannot push it"; \
		else \
			gcloud builds submit --project="$$project" --region=europe-north1 --tag $(IMAGE) . ; \
			exit $$? ; \
		fi ; \
	fi ; \
	echo "make image: $$why; building the static linux/amd64 binary the image would hold instead" ; \
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/tyomatka-linux-amd64 ./cmd/tyomatka && ls -l bin/tyomatka-linux-amd64

# Benchmarks (bench/bench.sh): Go hot paths, `tyomatka run` on generated
# 10k- and 100k-client years and the same files read by openpyxl and pandas;
# writes bench/RESULTS.md. Generates bench/data/ (git-ignored) when missing.
bench: build
	bench/bench.sh

clean:
	rm -rf bin out
