# cnnc_add_model(TARGET <target> MODEL <model.cnn|model.onnx>
#                [WEIGHTS <weights.safetensors>] [OPTIONS <cnnc arguments>...]
#                [OUTPUT_DIRECTORY <dir>])
#
# Compiles a model with cnnc at build time into the shared library
# lib<target>.so and its C header <target>.h (docs/c-api.md), both in
# OUTPUT_DIRECTORY (default: <current binary dir>/<target>), and makes
# <target> an imported library: linking it links the model's library and puts
# the header on the include path. The library is rebuilt when the model, the
# weights or the cnnc executable change. OPTIONS go to cnnc as they are
# (--random-weights=1, --batch=4, -O2, --no-fusion, ...). Relative MODEL and
# WEIGHTS paths are relative to the current source directory. The functions
# of the header are named after the model (`model NAME(...)`): NAME_run.
#
#   find_package(cnnc REQUIRED CONFIG)
#   cnnc_add_model(TARGET mobilenet MODEL mobilenet_v2.cnn
#                  OPTIONS --random-weights=1)
#   add_executable(app main.c)                 # #include "mobilenet.h"
#   target_link_libraries(app PRIVATE mobilenet)
#
# Shipped in cnnc's CMake package (cnncConfig.cmake includes it); uses the
# package's cnnc::cnnc, or the target cnnc inside cnnc's own build.
function(cnnc_add_model)
  cmake_parse_arguments(ARG "" "TARGET;MODEL;WEIGHTS;OUTPUT_DIRECTORY" "OPTIONS"
                        ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "cnnc_add_model: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_TARGET)
    message(FATAL_ERROR "cnnc_add_model: TARGET <name> is required")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "cnnc_add_model(${ARG_TARGET}): MODEL <model.cnn> is required")
  endif()
  if(TARGET ${ARG_TARGET})
    message(FATAL_ERROR "cnnc_add_model: a target named '${ARG_TARGET}' already exists")
  endif()
  if(TARGET cnnc::cnnc)
    set(compiler cnnc::cnnc)
  elseif(TARGET cnnc)
    set(compiler cnnc)
  else()
    message(FATAL_ERROR "cnnc_add_model(${ARG_TARGET}): no cnnc executable target: "
                        "call find_package(cnnc REQUIRED CONFIG) first")
  endif()

  get_filename_component(model "${ARG_MODEL}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "cnnc_add_model(${ARG_TARGET}): no model file '${model}'")
  endif()
  set(weights_args)
  set(weights)
  if(ARG_WEIGHTS)
    get_filename_component(weights "${ARG_WEIGHTS}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${weights}")
      message(FATAL_ERROR "cnnc_add_model(${ARG_TARGET}): no weights file '${weights}'")
    endif()
    set(weights_args "--weights=${weights}")
  endif()
  set(dir "${ARG_OUTPUT_DIRECTORY}")
  if(NOT dir)
    set(dir "${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}")
  endif()
  # The imported target's include directory must exist when CMake generates.
  file(MAKE_DIRECTORY "${dir}")
  set(library "${dir}/lib${ARG_TARGET}.so")
  set(header "${dir}/${ARG_TARGET}.h")

  add_custom_command(
    OUTPUT "${library}" "${header}"
    COMMAND ${compiler} "${model}" ${weights_args} ${ARG_OPTIONS}
            --emit=so -o "${library}"
    COMMAND ${compiler} "${model}" ${weights_args} ${ARG_OPTIONS}
            --emit=header -o "${header}"
    DEPENDS "${model}" ${weights} ${compiler} "$<TARGET_FILE:${compiler}>"
    COMMENT "Compiling the model ${ARG_MODEL} with cnnc (${ARG_TARGET})"
    VERBATIM)
  add_custom_target(${ARG_TARGET}_cnnc DEPENDS "${library}" "${header}")

  # The library has no SONAME: CMake links it as -l<target> with its folder
  # on the search path and in the RPATH, rather than by its absolute path.
  add_library(${ARG_TARGET} SHARED IMPORTED GLOBAL)
  set_target_properties(${ARG_TARGET} PROPERTIES
    IMPORTED_LOCATION "${library}"
    IMPORTED_NO_SONAME TRUE
    INTERFACE_INCLUDE_DIRECTORIES "${dir}")
  add_dependencies(${ARG_TARGET} ${ARG_TARGET}_cnnc)
endfunction()
