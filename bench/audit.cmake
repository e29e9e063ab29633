# The ledger bench (bench_ledger.c): append throughput against plain
# SQLite inserts of the same rows, proofs and full verify at 10^6 records.
# Run by hand: ./build/bench/bench_ledger [--records N] [--dir DIR]
add_executable(bench_ledger ${CMAKE_CURRENT_SOURCE_DIR}/bench_ledger.c)
target_link_libraries(bench_ledger PRIVATE lia_audit lia_flags PkgConfig::SODIUM PkgConfig::SQLITE)
