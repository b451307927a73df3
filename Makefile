# Parley: `make run` serves on http://127.0.0.1:8080; `make test` runs every suite.
SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)
PORT ?= 8080
FUZZ_SECONDS ?= 30
NPM_DIRS := tests web
BENCH_SECONDS ?= 10
SOAK_MINUTES ?= 2

.PHONY: all deps build run test unit integration fuzz sanitize format format-check bench bench-sockjs bench-web bench-cluster soak e2e web-test tsan clean

all: build

deps:
	@scripts/deps.sh $(NPM_DIRS)

# The Release build also holds bench/loadgen (parley-loadgen and its unit tests), so that
# `make test` keeps the load generator compiling and correct.
$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARLEY_WERROR=ON -DPARLEY_BENCH=ON

build: deps $(BUILD)/build.ninja web/dist/index.html
	cmake --build $(BUILD) -j $(JOBS)

# The web client (React + TypeScript + Vite), served by parley from web/dist.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
	web/package.json web/vite.config.ts web/tsconfig.app.json
web/dist/index.html: $(WEB_SOURCES)
	cd web && npm run build

# Type check, lint and unit tests of the web client.
web-test: deps
	cd web && npm run typecheck && npm run lint && npm test

run: build
	$(BUILD)/server/parley --bind 127.0.0.1 --port $(PORT)

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

integration: build
	cd tests && PARLEY_BIN=$(abspath $(BUILD))/server/parley npm test

# Real Chromium (Debian's) driven by playwright-core: the seed's VideoChat over SockJS, and
# Parley's own web client (three-way call, screen share, glare, server restart, seed interop).
e2e: build
	cd tests && PARLEY_BIN=$(abspath $(BUILD))/server/parley npm run e2e

# The node integration suite runs once, against the ASan+UBSan build (`make sanitize`): the same
# assertions plus memory and UB checks, every server with one I/O thread (the corked write path,
# server/src/net/write_cork.hpp), while the TSan run, the soak and the e2e tests run servers
# with one thread per core; `make integration` runs it against the Release build.
# The Release build itself is exercised by the unit tests, the soak and the e2e tests.
test: format-check unit web-test fuzz sanitize tsan soak e2e

# libFuzzer targets (clang, ASan + UBSan), each a bounded run from its committed seed corpus:
# the STOMP codec, the room rules, access-control input (room tokens, JWK Sets, room
# password files, base64url), SockJS framing and sessions (payload decoding, frame encoding,
# the session state machine), and HTTP input (static file resolution against a web root with
# traps, SockJS routes, the Origin policy, HTTP dates, content types).
FUZZ_TARGETS := stomp_parser rooms_registry access sockjs http
fuzz: deps
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DPARLEY_FUZZ=ON -DPARLEY_TESTS=OFF >/dev/null
	cmake --build build-fuzz -j $(JOBS) $(addprefix --target ,$(addsuffix _fuzz,$(FUZZ_TARGETS)))
	set -o pipefail; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t && cp -n server/fuzz/corpus/$$t/* build-fuzz/corpus/$$t/; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  build-fuzz/server/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    build-fuzz/corpus/$$t 2>&1 | tail -n 6 || exit 1; \
	done

# Unit and integration suites under AddressSanitizer + UndefinedBehaviorSanitizer (clang). The
# servers the node tests start write any report (memory error, UB, leak at exit) to
# build-asan/reports; one report fails the target. -O0 (Debug): with optimisation, clang takes
# 3-4 times longer to compile the Beast-heavy files under both sanitizers.
SAN_ENV = PARLEY_SANITIZER=address ASAN_OPTIONS="detect_leaks=1:log_path=$(abspath build-asan)/reports/asan" \
	UBSAN_OPTIONS="print_stacktrace=1:log_path=$(abspath build-asan)/reports/ubsan"
sanitize: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
	  -DPARLEY_SANITIZE=address,undefined -DCMAKE_CXX_FLAGS=-fno-sanitize-recover=undefined >/dev/null
	cmake --build build-asan -j $(JOBS)
	rm -rf build-asan/reports && mkdir -p build-asan/reports
	set -o pipefail; cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) | tail -n 3
	cd tests && $(SAN_ENV) PARLEY_TEST_THREADS=1 PARLEY_BIN=$(abspath build-asan)/server/parley npm test \
	  >$(abspath build-asan)/integration.log 2>&1; rc=$$?; tail -n 9 $(abspath build-asan)/integration.log; \
	  if [ $$rc -ne 0 ]; then grep -E -A4 '^ *not ok' $(abspath build-asan)/integration.log | head -n 80; exit $$rc; fi
	@if ls build-asan/reports/* >/dev/null 2>&1; then cat build-asan/reports/*; exit 1; fi
	@echo "sanitize: no ASan/UBSan/LSan reports"

# ThreadSanitizer (clang): the multi-threaded parts — I/O threads, the AMQP link thread and the
# cluster timer, the admission counters — under the AMQP link suite and the cluster, rooms,
# limits and SockJS integration tests. Any report fails.
TSAN_ENV = TSAN_OPTIONS="halt_on_error=0 log_path=$(abspath build-tsan)/reports/tsan"
tsan: deps
	cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DPARLEY_SANITIZE=thread \
	  -DPARLEY_TESTS=ON >/dev/null
	cmake --build build-tsan -j $(JOBS) --target parley parley_amqp_tests
	rm -rf build-tsan/reports && mkdir -p build-tsan/reports
	set -o pipefail; cd build-tsan && $(TSAN_ENV) ctest --output-on-failure -L rabbitmq | tail -n 3
	cd tests && $(TSAN_ENV) PARLEY_BIN=$(abspath build-tsan)/server/parley node --test --test-concurrency=1 --test-timeout=600000 \
	  integration/cluster.test.mjs integration/rooms.test.mjs integration/sockjs.test.mjs \
	  integration/limits.test.mjs >$(abspath build-tsan)/integration.log 2>&1; rc=$$?; \
	  tail -n 9 $(abspath build-tsan)/integration.log; \
	  if [ $$rc -ne 0 ]; then grep -E -A4 '^ *not ok' $(abspath build-tsan)/integration.log | head -n 80; exit $$rc; fi
	@if ls build-tsan/reports/tsan* >/dev/null 2>&1; then cat build-tsan/reports/tsan*; exit 1; fi
	@echo "tsan: no reports"

format:
	clang-format -i $$(git ls-files 'server/*.cpp' 'server/*.hpp' 'bench/*.cpp')

clean:
	rm -rf $(BUILD) build-fuzz build-asan build-tsan

# Fails when a C++ file is not clang-formatted.
format-check: deps
	clang-format --dry-run --Werror $$(git ls-files 'server/*.cpp' 'server/*.hpp' 'bench/*.cpp')

# STOMP signaling, side by side with RabbitMQ Web-STOMP in the same run: idle sessions, targeted
# relay, room fan-out, join storm, SockJS xhr-streaming, callgrind instructions per message;
# server on core 0, parley-loadgen on core 1. Writes docs/BENCHMARKS.md and docs/bench/*.png.
bench: build
	@scripts/deps.sh bench
	cd bench && node stomp/run.mjs --parley $(abspath $(BUILD))/server/parley \
	  --loadgen $(abspath $(BUILD))/bench/loadgen/parley-loadgen $(BENCH_ARGS)

# SockJS echo: parley vs the reference sockjs-node server, same client (docs/BENCHMARKS.md).
bench-sockjs: build
	@scripts/deps.sh bench
	cd bench && node sockjs/run.mjs --parley $(abspath $(BUILD))/server/parley --seconds $(BENCH_SECONDS)

# The web client in Chromium: join-to-first-remote-frame (20 joins) and CPU of 3 and 4 pages.
bench-web: build
	@scripts/deps.sh tests
	cd bench && PARLEY_BIN=$(abspath $(BUILD))/server/parley node web/join-to-frame.mjs

# Scale-out: targeted message latency/throughput, one node vs two nodes on RabbitMQ (docs/BENCHMARKS.md).
bench-cluster: build
	@scripts/deps.sh bench tests
	cd bench && PARLEY_BIN=$(abspath $(BUILD))/server/parley node cluster/latency.mjs --seconds $(BENCH_SECONDS)

# Memory soak: mixed WebSocket/SockJS room traffic with churn for SOAK_MINUTES; RSS must stay flat
# after warm-up and every session must end (bench/soak/soak.mjs; samples in bench/soak/results.csv).
# A soak that has not ended 5 minutes after its time fails (timeout(1) exits 124).
soak: build
	@scripts/deps.sh bench tests
	cd bench && timeout --kill-after=30 $$(( $(SOAK_MINUTES) * 60 + 300 )) node soak/soak.mjs --parley $(abspath $(BUILD))/server/parley --minutes $(SOAK_MINUTES)
