# Project helpers: every component declares its library, tests, fuzzers and
# benchmarks through these, so warnings and sanitizers are set in one place.
#
#   faultline_library(faultline_net SOURCES fd.cpp ... DEPS fmt::fmt)
#   faultline_test(net_test SOURCES fd_test.cpp DEPS faultline_net)
#   faultline_benchmark(echo_bench SOURCES echo_bench.cpp DEPS faultline_echo)
#   faultline_fuzzer(url_fuzzer SOURCES url_fuzzer.cpp DEPS faultline_http)

set(FAULTLINE_WARNINGS -Wall -Wextra -Wpedantic)

function(faultline_apply_common target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${FAULTLINE_WARNINGS}>)
  if(FAULTLINE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${FAULTLINE_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=${FAULTLINE_SANITIZE})
  endif()
endfunction()

function(faultline_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_DEPS})
  faultline_apply_common(${name})
endfunction()

# faultline_test registers each TEST() with ctest (gtest_discover_tests), so
# `ctest -j` and sharding spread the cases.
function(faultline_test name)
  if(NOT FAULTLINE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main
                                        Threads::Threads)
  faultline_apply_common(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  # Labels are set by a script ctest includes after the discovered tests:
  # gtest_discover_tests(PROPERTIES LABELS "a;b") splits the list into
  # separate arguments, so only the first label would stick (`ctest -L suite`
  # found nothing). The discovery script leaves the names in ${name}_TESTS.
  if(ARG_LABELS)
    set(labels_file "${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake")
    file(WRITE "${labels_file}"
         "if(${name}_TESTS)\n"
         "  set_tests_properties(\${${name}_TESTS} PROPERTIES LABELS \"${ARG_LABELS}\")\n"
         "endif()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${labels_file}")
  endif()
endfunction()

function(faultline_benchmark name)
  if(NOT FAULTLINE_BUILD_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark Threads::Threads)
  faultline_apply_common(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
  # A smoke run in every test build: each benchmark runs briefly and must
  # write valid Google Benchmark JSON. Figures come from the bench preset.
  if(FAULTLINE_BUILD_TESTS)
    add_test(NAME bench_smoke.${name}
             COMMAND ${name} --benchmark_min_time=0.001 --benchmark_repetitions=1
                     --benchmark_out=${PROJECT_BINARY_DIR}/bench/${name}.smoke.json
                     --benchmark_out_format=json)
    # FAULTLINE_BENCH_SMOKE: benchmarks that drive outside programs (wrk,
    # nginx) skip themselves in the smoke run, so no test depends on them.
    set_tests_properties(bench_smoke.${name} PROPERTIES TIMEOUT 120 LABELS bench
                         ENVIRONMENT FAULTLINE_BENCH_SMOKE=1)
  endif()
endfunction()

# faultline_fuzzer builds the libFuzzer binary under the fuzz preset, and in
# every build a replay binary (<name>_replay) that runs each corpus file through
# the same LLVMFuzzerTestOneInput with the ordinary compiler; ctest replays the
# corpus in corpus/<corpus_dir>.
function(faultline_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_CORPUS)
    string(REGEX REPLACE "_fuzzer$" "" ARG_CORPUS ${name})
  endif()
  if(FAULTLINE_BUILD_FUZZERS)
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_DEPS})
    faultline_apply_common(${name})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
  endif()
  add_executable(${name}_replay ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/fuzz/standalone_driver.cpp)
  target_link_libraries(${name}_replay PRIVATE ${ARG_DEPS})
  faultline_apply_common(${name}_replay)
  set_target_properties(${name}_replay PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
  if(FAULTLINE_BUILD_TESTS)
    add_test(NAME fuzz_replay.${name}
             COMMAND ${name}_replay ${PROJECT_SOURCE_DIR}/corpus/${ARG_CORPUS})
    set_tests_properties(fuzz_replay.${name} PROPERTIES TIMEOUT 300 LABELS fuzz)
  endif()
endfunction()
