# Vigil — see README.md.
GO      ?= go
BIN     ?= bin/vigil
VERSION ?= 0.1.0-dev
LDFLAGS := -s -w -X github.com/vigil-ir/vigil/internal/app.Version=$(VERSION)

.PHONY: build run test fuzz bench vet clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -tags netgo,osusergo -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/vigil

# The main job: build, then triage this machine with the embedded defaults.
# Exit 1 only means "findings at or above --fail-on"; make treats it as success.
run: build
	@./$(BIN) scan $(ARGS); s=$$?; [ $$s -le 1 ] || exit $$s

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Every fuzz target for FUZZTIME each (about 50 minutes at a minute each;
# .ci/run runs them for 3s). Niced: it leaves the machine usable.
FUZZTIME ?= 60s
fuzz:
	nice -n 19 ./scripts/fuzz.sh $(FUZZTIME)

bench:
	./bench/run.sh

clean:
	rm -rf bin
