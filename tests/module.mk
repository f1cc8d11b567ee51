# Script tests: golden parse output, the external conformance suite.
TESTS += tests/golden.sh tests/conformance.sh
EXTRA_DIST += tests/golden.sh tests/conformance.sh tests/conformance_check.py \
	tests/data

# Fuzzing (configure --enable-fuzzing, CC=clang): each target runs for
# FUZZ_TIME seconds from its seed corpus in tests/fuzz/corpus/NAME; new
# inputs go to the build tree, crashes to tests/fuzz/ in the build tree.
FUZZ_TIME = 60
EXTRA_DIST += tests/fuzz/corpus
fuzz:
if ENABLE_FUZZING
	@for prog in $(noinst_PROGRAMS); do \
		case $$prog in tests/fuzz/fuzz_*) ;; *) continue ;; esac; \
		name=$${prog#tests/fuzz/fuzz_}; \
		mkdir -p tests/fuzz/found/$$name; \
		echo "fuzz: $$name for $(FUZZ_TIME) s"; \
		./$$prog -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=tests/fuzz/$$name- \
			tests/fuzz/found/$$name $(srcdir)/tests/fuzz/corpus/$$name \
			2>tests/fuzz/$$name.log || { tail -n 40 tests/fuzz/$$name.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units' tests/fuzz/$$name.log; \
	done
else
	@echo "fuzz: configure with CC=clang --enable-fuzzing first" >&2; exit 1
endif

# The hostile-world suite (issue 8, docs/SECURITY.md): one Python script per
# category of SECURITY.md, each a list of named cases run by
# tests/hostile/harness.py against the real binary.
TEST_EXTENSIONS = .py
PY_LOG_COMPILER = $(PYTHON3)
HOSTILE_TESTS = tests/hostile/terminal.py tests/hostile/commands.py \
	tests/hostile/content.py tests/hostile/network.py \
	tests/hostile/storage.py tests/hostile/process.py
TESTS += $(HOSTILE_TESTS)
EXTRA_DIST += tests/hostile/harness.py $(HOSTILE_TESTS)
