# cnnc_add_library(<name> <sources>... [DEPENDS <targets>...] [LINK <libs>...]
#                  [PRIVATE_LINK <libs>...] [LLVM_ONLY])
#
# A shared library of cnnc linked against the shared libMLIR.so/libLLVM.so, so
# that tools stay small and out-of-tree plugins link against the very same
# copies of cnnc and MLIR that the tools load. LINK libraries are part of its
# interface, PRIVATE_LINK ones (fmt) only of its implementation. LLVM_ONLY:
# linked against libLLVM.so alone, for tools that load no MLIR (cnnc-run).
# Each library is installed with its folder's headers (cmake/CnncInstall.cmake
# installs the list CNNC_LIBRARIES collects).
function(cnnc_add_library name)
  cmake_parse_arguments(ARG "LLVM_ONLY" "" "DEPENDS;LINK;PRIVATE_LINK" ${ARGN})
  add_library(${name} SHARED ${ARG_UNPARSED_ARGUMENTS})
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${CMAKE_CURRENT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  if(ARG_LLVM_ONLY)
    target_link_libraries(${name} PUBLIC ${ARG_LINK} LLVM)
  else()
    target_link_libraries(${name} PUBLIC ${ARG_LINK} MLIR LLVM)
  endif()
  if(ARG_PRIVATE_LINK)
    target_link_libraries(${name} PRIVATE ${ARG_PRIVATE_LINK})
  endif()
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  # Installed next to each other, with libMLIR.so where Debian puts it.
  set_target_properties(${name} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib
    INSTALL_RPATH "\$ORIGIN;${LLVM_LIBRARY_DIR}")
  set_property(GLOBAL APPEND PROPERTY CNNC_LIBRARIES ${name})
  cnnc_install_headers()
endfunction()

# The public headers of the current folder (include/, and the tablegen'd
# .h.inc files of its build folder), once per folder: dialect/ has two
# libraries.
function(cnnc_install_headers)
  get_property(done GLOBAL PROPERTY CNNC_HEADER_FOLDERS)
  if(CMAKE_CURRENT_SOURCE_DIR IN_LIST done)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY CNNC_HEADER_FOLDERS ${CMAKE_CURRENT_SOURCE_DIR})
  install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} OPTIONAL
          FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
  install(DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/include/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} OPTIONAL
          FILES_MATCHING PATTERN "*.h.inc")
endfunction()

# cnnc_add_pass_tablegen(<Passes.td> <name> <doc.md> <target>)
#
# The passes a folder declares in <Passes.td>: their C++ declarations
# (Passes.h.inc next to it in the build tree, registered by
# register<name>Passes()) and their reference, docs/<doc.md>, both made by the
# tablegen target <target>.
function(cnnc_add_pass_tablegen td name doc target)
  set(LLVM_TARGET_DEFINITIONS ${td})
  get_filename_component(dir ${td} DIRECTORY)
  mlir_tablegen(${dir}/Passes.h.inc -gen-pass-decls -name ${name})
  mlir_tablegen(docs/${doc} -gen-pass-doc)
  add_public_tablegen_target(${target})
endfunction()
