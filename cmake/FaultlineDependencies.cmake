# Every dependency comes from a Debian package (scripts/bootstrap installs them).
# A missing one stops configure with a message naming the package.

function(faultline_require_package found_var package)
  if(NOT ${found_var})
    message(FATAL_ERROR "faultline: missing dependency: install the Debian package '${package}' "
                        "(run scripts/bootstrap)")
  endif()
endfunction()

find_package(Threads REQUIRED)

find_package(fmt CONFIG QUIET)
faultline_require_package(fmt_FOUND libfmt-dev)

find_package(tl-expected CONFIG QUIET)
faultline_require_package(tl-expected_FOUND libexpected-dev)

find_package(nlohmann_json CONFIG QUIET)
faultline_require_package(nlohmann_json_FOUND nlohmann-json3-dev)

# OpenSSL 3 for the TLS targets (targets/tls), driven through memory BIOs.
find_package(OpenSSL 3 QUIET)
faultline_require_package(OPENSSL_FOUND libssl-dev)

find_path(FAULTLINE_CLI11_INCLUDE CLI/CLI.hpp)
faultline_require_package(FAULTLINE_CLI11_INCLUDE libcli11-dev)
add_library(faultline_cli11 INTERFACE)
target_include_directories(faultline_cli11 SYSTEM INTERFACE ${FAULTLINE_CLI11_INCLUDE})

# llhttp ships as C sources (node-llhttp); compile them as a static library.
set(FAULTLINE_LLHTTP_SOURCE_DIR /usr/share/llhttp CACHE PATH "llhttp C sources")
set(FAULTLINE_LLHTTP_INCLUDE_DIR /usr/share/include/llhttp CACHE PATH "llhttp header")
if(NOT EXISTS ${FAULTLINE_LLHTTP_SOURCE_DIR}/llhttp.c OR NOT EXISTS ${FAULTLINE_LLHTTP_INCLUDE_DIR}/llhttp.h)
  message(FATAL_ERROR "faultline: missing dependency: install the Debian package 'node-llhttp' "
                      "(run scripts/bootstrap); looked in ${FAULTLINE_LLHTTP_SOURCE_DIR}")
endif()
add_library(faultline_llhttp STATIC
  ${FAULTLINE_LLHTTP_SOURCE_DIR}/api.c
  ${FAULTLINE_LLHTTP_SOURCE_DIR}/http.c
  ${FAULTLINE_LLHTTP_SOURCE_DIR}/llhttp.c)
target_include_directories(faultline_llhttp SYSTEM PUBLIC ${FAULTLINE_LLHTTP_INCLUDE_DIR})
set_target_properties(faultline_llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99)
target_compile_options(faultline_llhttp PRIVATE -w)

if(FAULTLINE_BUILD_TESTS)
  find_package(GTest CONFIG QUIET)
  if(NOT GTest_FOUND)
    find_package(GTest QUIET)
  endif()
  faultline_require_package(GTest_FOUND libgtest-dev)
  include(GoogleTest)
endif()

if(FAULTLINE_BUILD_BENCH)
  find_package(benchmark CONFIG QUIET)
  faultline_require_package(benchmark_FOUND libbenchmark-dev)
endif()
