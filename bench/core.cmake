add_executable(bench_envelope ${CMAKE_CURRENT_SOURCE_DIR}/bench_envelope.c)
target_link_libraries(bench_envelope PRIVATE lia_core lia_flags)
