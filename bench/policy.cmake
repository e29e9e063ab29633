# The policy bench (bench_policy.c): lia_decide() cost per call with the
# example policy, beside one Ed25519 verify measured in the same run.
# Run by hand: ./build/bench/bench_policy [CALLS] [POLICY-FILE]
add_executable(bench_policy ${CMAKE_CURRENT_SOURCE_DIR}/bench_policy.c)
target_link_libraries(bench_policy PRIVATE lia_policy lia_flags PkgConfig::SODIUM)
target_compile_definitions(bench_policy PRIVATE
  LIA_POLICY_EXAMPLE="${PROJECT_SOURCE_DIR}/policy/examples/exchange.yaml")
