# lia_protobuf_c(OUT_SRCS OUT_HDRS file.proto ...): run protoc-c on each
# file into the build tree. The sources are not committed anywhere.
function(lia_protobuf_c out_srcs out_hdrs)
  set(srcs)
  set(hdrs)
  foreach(proto ${ARGN})
    get_filename_component(abs ${proto} ABSOLUTE)
    get_filename_component(base ${proto} NAME_WE)
    set(c ${CMAKE_CURRENT_BINARY_DIR}/liaison/${base}.pb-c.c)
    set(h ${CMAKE_CURRENT_BINARY_DIR}/liaison/${base}.pb-c.h)
    add_custom_command(
      OUTPUT ${c} ${h}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/liaison
      COMMAND ${PROTOC_C} --proto_path=${CMAKE_CURRENT_SOURCE_DIR}
              --c_out=${CMAKE_CURRENT_BINARY_DIR}/liaison ${abs}
      DEPENDS ${abs}
      COMMENT "protoc-c ${proto}")
    list(APPEND srcs ${c})
    list(APPEND hdrs ${h})
  endforeach()
  set(${out_srcs} ${srcs} PARENT_SCOPE)
  set(${out_hdrs} ${hdrs} PARENT_SCOPE)
endfunction()
