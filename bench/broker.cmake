# End-to-end benchmarks through the real broker; bench_world.c is their
# shared set-up (folder, certificates, broker child). Run by hand only.
foreach(b bench_exchange bench_noisy)
  add_executable(${b} ${CMAKE_CURRENT_SOURCE_DIR}/${b}.c ${CMAKE_CURRENT_SOURCE_DIR}/bench_world.c)
  target_include_directories(${b} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${b} PRIVATE lia_agent lia_flags PkgConfig::ZMQ)
  target_compile_definitions(${b} PRIVATE
    LIA_BROKER_PATH="$<TARGET_FILE:liaison-broker>"
    LIA_POLICY_PATH="${PROJECT_SOURCE_DIR}/policy/examples/exchange.yaml")
  add_dependencies(${b} liaison-broker)
endforeach()
