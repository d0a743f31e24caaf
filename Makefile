# ThaiTrust: the Makefile is the contract. CI runs `make test` only.
#
#   make run     set up what is missing, build, start the demo on 127.0.0.1:8080
#   make test    set up what is missing, run every test (unit, store conformance,
#                end-to-end, interop, brief fuzzing)
#   make lint    gofmt and go vet
#   make bench   benchmarks with their baselines, and the HTTP issuance load
#                test (internal/loadgen); figures in bench/latest.txt
#   make fuzz    fuzz every parser for FUZZTIME each (default 60s)

SHELL      := /bin/bash
GO         ?= go
ADDR       ?= 127.0.0.1:8080
DATA       ?= $(CURDIR)/thaitrust-data
BIN        := bin/thaitrust
FUZZTIME   ?= 60s
TEST_FUZZTIME ?= 3s
BENCHTIME  ?= 2s
LOADTIME   ?= 10s
LOADCLIENTS ?= 64
PKGS       := ./...
LFW        ?= $(CURDIR)/../shared/datasets/lfw

.DEFAULT_GOAL := help

.PHONY: help setup build run test test-unit test-interop test-fuzz test-browser screenshots lint bench bench-fvs fuzz clean

help: ## show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: ## install what is missing (apt packages, Go modules); idempotent
	@scripts/setup.sh

build: setup ## build bin/thaitrust
	$(GO) build -o $(BIN) ./cmd/thaitrust

run: build ## start the demo (issuers dopa, dbd, university) on $(ADDR) with data in $(DATA)
	$(BIN) serve --demo --addr $(ADDR) --data $(DATA)

test: setup lint test-unit test-interop test-fuzz ## run every test
	@echo "make test: all passed"

test-unit:
	$(GO) test -race -count=1 -timeout 10m $(PKGS)

test-browser: setup ## only the browser tests of the pages (web/e2e, Chromium); screenshots in web/e2e/artifacts
	$(GO) test -count=1 -run '^TestBrowser$$' -v ./web

screenshots: setup ## run the browser tests and copy the README's screenshots to docs/screenshots
	THAITRUST_UPDATE_SCREENSHOTS=1 $(GO) test -count=1 -run '^TestBrowser$$' ./web

test-interop: ## interop tests (module interop/: lestrrat-go/jwx, trustbloc/vc-go, @sd-jwt/sd-jwt-vc under node)
	cd interop && $(GO) test -count=1 -timeout 5m ./...

test-fuzz: ## run each fuzz target briefly (TEST_FUZZTIME each)
	@scripts/fuzz.sh $(TEST_FUZZTIME)

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	cd interop && $(GO) vet ./...

# Every bench step runs even if one fails, so that bench/latest.txt has all
# the figures there are; make bench still fails at the end.
bench: setup ## benchmarks (each with its baseline, same run) and the HTTP issuance load test; figures in bench/latest.txt
	@mkdir -p bench
	set -o pipefail; rc=0; \
	  $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count 1 $(PKGS) | tee bench/latest.txt || rc=1; \
	  (cd interop && $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count 1 ./...) | tee -a bench/latest.txt || rc=1; \
	  $(GO) run ./internal/loadgen -duration $(LOADTIME) -clients $(LOADCLIENTS) | tee -a bench/latest.txt || rc=1; \
	  exit $$rc

bench-fvs: build ## face verification on LFW View 2 (../shared/datasets/lfw): accuracy, EER, FNMR at FMR, latency, throughput, DET curve and calibration in bench/fvs (takes minutes)
	$(BIN) fvs bench --lfw $(LFW) --out bench/fvs

fuzz: setup ## fuzz every parser for FUZZTIME each
	@scripts/fuzz.sh $(FUZZTIME)

clean: ## remove build output (not the demo data)
	rm -rf bin bench/latest.txt
