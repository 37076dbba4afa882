#!/bin/bash -eu
# .clusterfuzzlite/build.sh: builds every faultline fuzzer the OSS-Fuzz way,
# for ClusterFuzzLite (and OSS-Fuzz): the compiler, flags and fuzzing engine
# come from the environment, and $OUT gets each fuzzer with its seed corpus
# (<name>_seed_corpus.zip) and dictionary (<name>.dict).
#
#   $CC $CXX $CFLAGS $CXXFLAGS   compilers and flags (sanitizers included)
#   $LIB_FUZZING_ENGINE          what to link each fuzzer with (-fsanitize=fuzzer)
#   $SRC $OUT $WORK              sources, outputs, scratch
#
# It runs outside Docker too, e.g. an ASan+UBSan libFuzzer build:
#
#   export CC=clang CXX=clang++ LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#     CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,undefined \
#             -fsanitize=fuzzer-no-link" CXXFLAGS="$CFLAGS" \
#     SRC=/work OUT=/tmp/cfl-out WORK=/tmp/cfl-work
#   .clusterfuzzlite/build.sh
#
# Two things differ from the project's own fuzz preset, on purpose:
#  - fmt is used header-only (a small CMake package written below), so the
#    fuzzers link no libfmt built against another C++ standard library (the
#    OSS-Fuzz images build with -stdlib=libc++) and carry no shared library
#    the runner image lacks;
#  - FAULTLINE_SANITIZE stays empty: $CFLAGS/$CXXFLAGS carry the sanitizers.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(dirname "$here")"
if [[ -f "${SRC:-}/faultline/fuzz/standalone_driver.cpp" ]]; then
  source_dir="$SRC/faultline"
fi
: "${OUT:?set OUT, where the fuzzers go}"
work="${WORK:-/tmp}/faultline-cfl"
build="$work/build"
jobs="${FAULTLINE_BUILD_JOBS:-2}"
mkdir -p "$OUT" "$work/cmake/fmt"

# fmt, header-only, as a CMake package (find_package(fmt CONFIG) finds it first).
fmt_include="$(dirname "$(echo '#include <fmt/core.h>' | "$CXX" $CXXFLAGS -x c++ -E -M - 2>/dev/null \
  | tr ' \\' '\n\n' | grep '/fmt/core.h$' | head -1)")"
fmt_include="$(dirname "$fmt_include")"
cat > "$work/cmake/fmt/fmt-config.cmake" <<CMAKE
# Written by .clusterfuzzlite/build.sh: fmt header-only.
if(NOT TARGET fmt::fmt)
  add_library(fmt::fmt INTERFACE IMPORTED)
  set_target_properties(fmt::fmt PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "$fmt_include"
    INTERFACE_COMPILE_DEFINITIONS "FMT_HEADER_ONLY=1")
endif()
set(fmt_FOUND TRUE)
CMAKE

cmake -S "$source_dir" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCMAKE_BUILD_TYPE=None \
  -Dfmt_DIR="$work/cmake/fmt" \
  -DFAULTLINE_BUILD_TESTS=OFF -DFAULTLINE_BUILD_BENCH=OFF -DFAULTLINE_BUILD_FUZZERS=OFF \
  -DFAULTLINE_SANITIZE= \
  -DFAULTLINE_LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE"

fuzzers=()
for source in "$source_dir"/fuzz/*_fuzzer.cpp; do
  fuzzers+=("$(basename "$source" .cpp)")
done
cmake --build "$build" --parallel "$jobs" --target "${fuzzers[@]}"

for fuzzer in "${fuzzers[@]}"; do
  cp "$build/fuzz/$fuzzer" "$OUT/"
  seeds="$source_dir/corpus/${fuzzer%_fuzzer}"
  if [[ -d "$seeds" ]]; then
    rm -f "$OUT/${fuzzer}_seed_corpus.zip"
    (cd "$seeds" && zip -q -r "$OUT/${fuzzer}_seed_corpus.zip" .)
  fi
  # The dictionary the fuzzer's banner names ("// Dictionary: corpus/dict/http.dict").
  dict="$(sed -n 's|^// Dictionary: \(corpus/dict/[^ ]*\.dict\).*|\1|p' "$source_dir/fuzz/$fuzzer.cpp" | head -1)"
  if [[ -n "$dict" ]]; then
    cp "$source_dir/$dict" "$OUT/$fuzzer.dict"
  fi
done
echo "build.sh: ${#fuzzers[@]} fuzzers in $OUT"
