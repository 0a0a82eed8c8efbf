# Vigil — see README.md.
GO      ?= go
BIN     ?= bin/vigil
VERSION ?= 0.1.0-dev
LDFLAGS := -s -w -X github.com/vigil-ir/vigil/internal/app.Version=$(VERSION)

.PHONY: build run test fuzz bench vet clean cc

# cgo for the YARA engine (go-yara builds its own libyara: a C compiler is all
# it needs); linked fully static so the binary runs on any Linux without a
# libyara or a matching glibc. netgo,osusergo keep glibc's getaddrinfo and
# getpwnam (which a static glibc cannot load) out of it.
STATIC  := -linkmode external -extldflags -static

build: cc
	CGO_ENABLED=1 $(GO) build -trimpath -tags netgo,osusergo -ldflags '$(LDFLAGS) $(STATIC)' -o $(BIN) ./cmd/vigil

# The main job: build, then triage this machine with the embedded defaults.
# Exit 1 only means "findings at or above --fail-on"; make treats it as success.
run: build
	@./$(BIN) scan $(ARGS); s=$$?; [ $$s -le 1 ] || exit $$s

test: cc
	CGO_ENABLED=1 $(GO) vet ./...
	CGO_ENABLED=1 $(GO) test -count=1 ./...

# Every fuzz target for FUZZTIME each (about 50 minutes at a minute each;
# .ci/run runs them for 3s). Niced: it leaves the machine usable.
FUZZTIME ?= 60s
fuzz:
	nice -n 19 ./scripts/fuzz.sh $(FUZZTIME)

bench:
	./bench/run.sh

# A C compiler and libc.a for cgo (installed with apt as root where missing).
cc:
	@./scripts/need-cc.sh

clean:
	rm -rf bin
