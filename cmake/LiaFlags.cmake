# Warning, hardening and sanitizer flags as INTERFACE targets: every
# target of ours links lia_flags; nothing sets global CMAKE_C_FLAGS.
# No -Wcast-qual: protobuf-c messages hold non-const pointers, so filling
# one from const data (a key, a name) always casts const away.
add_library(lia_flags INTERFACE)
add_library(lia::flags ALIAS lia_flags)

target_compile_definitions(lia_flags INTERFACE _POSIX_C_SOURCE=200809L)
target_compile_options(lia_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wformat-security
  -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
  -Wpointer-arith -Wvla -Wimplicit-fallthrough
  -Wundef
  -fstack-protector-strong -fno-strict-aliasing)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  target_compile_options(lia_flags INTERFACE -Wlogical-op -Wduplicated-cond)
endif()
if(LIA_WERROR)
  target_compile_options(lia_flags INTERFACE -Werror)
endif()
# Fuzzing instruments all of our code for coverage (the harnesses link
# libFuzzer's main), and always runs with the sanitizers.
if(LIA_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LIA_FUZZ needs clang (CC=clang)")
  endif()
  set(LIA_SANITIZE ON)
  target_compile_options(lia_flags INTERFACE -fsanitize=fuzzer-no-link)
endif()

if(NOT LIA_SANITIZE AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
  target_compile_definitions(lia_flags INTERFACE _FORTIFY_SOURCE=2)
endif()
target_link_options(lia_flags INTERFACE -Wl,-z,relro -Wl,-z,now)

if(LIA_SANITIZE)
  target_compile_options(lia_flags INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(lia_flags INTERFACE -fsanitize=address,undefined)
endif()

# Generated protobuf-c code is not ours to warn about.
add_library(lia_genflags INTERFACE)
target_compile_definitions(lia_genflags INTERFACE _POSIX_C_SOURCE=200809L)
if(LIA_SANITIZE)
  target_compile_options(lia_genflags INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(lia_genflags INTERFACE -fsanitize=address,undefined)
endif()
