add_executable(bench_exchange ${CMAKE_CURRENT_SOURCE_DIR}/bench_exchange.c)
target_link_libraries(bench_exchange PRIVATE lia_agent lia_flags PkgConfig::ZMQ)
target_compile_definitions(bench_exchange PRIVATE
  LIA_BROKER_PATH="$<TARGET_FILE:liaison-broker>"
  LIA_POLICY_PATH="${PROJECT_SOURCE_DIR}/policy/examples/exchange.yaml")
add_dependencies(bench_exchange liaison-broker)
