# snpkit - the verbs every user and CI share (STYLE.md §13). CMake does the building;
# every target first makes sure the Debian packages it needs are installed (scripts/deps.sh).
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 5
CTEST_ARGS ?=
MAKEFLAGS += --no-print-directory

.PHONY: all deps demo test asan fuzz bench format format-check check-deps clean

all: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

deps:
	@sh scripts/deps.sh

demo: all
	@sh scripts/demo.sh $(BUILD)/snpkit

test: all check-deps
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSNPKIT_ASAN=ON \
		-DCMAKE_C_COMPILER=clang >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSNPKIT_FUZZ=ON \
		-DCMAKE_C_COMPILER=clang >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: all
	@sh scripts/bench.sh $(BUILD)

format: deps
	@find include src tests bench -name '*.[ch]' | xargs clang-format -i

format-check: deps
	@find include src tests bench -name '*.[ch]' | xargs clang-format --dry-run --Werror \
		&& echo "format-check: clean"

check-deps:
	@sh scripts/check-deps.sh .

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# docs/threat-model.md: the tables from the scenario descriptors and a real run of
# `snpkit attack`, the prose from docs/threat-model.md.in (tests/e2e/threat_model_doc.sh fails
# when the checked-in page differs from a regeneration).
.PHONY: threat-model
threat-model: all
	@python3 scripts/threat-model.py --snpkit $(BUILD)/snpkit \
		--template docs/threat-model.md.in --out docs/threat-model.md
	@echo "threat-model: docs/threat-model.md regenerated"
