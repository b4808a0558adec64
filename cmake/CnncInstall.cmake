# cnnc's install rules and CMake package (docs/cmake.md):
#   cmake --install build --prefix P
# puts the tools in P/bin, the libraries in P/lib, the headers (ModelInfo.h
# among them) in P/include, the package (cnncConfig.cmake, its version file,
# the targets under cnnc::, cnnc_add_model) in P/lib/cmake/cnnc, and the
# Python package in P/share/cnnc/python. The same package, with the targets
# of the build tree, is written to <build>/lib/cmake/cnnc.
include(CMakePackageConfigHelpers)

set(CNNC_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cnnc)
set(CNNC_BUILD_PACKAGE_DIR ${CMAKE_BINARY_DIR}/lib/cmake/cnnc)
set(CNNC_PYTHON_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/cnnc/python)

get_property(cnnc_libraries GLOBAL PROPERTY CNNC_LIBRARIES)
install(TARGETS ${cnnc_libraries} EXPORT cnncTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

# The tools find cnnc's libraries next door and MLIR's where Debian keeps it.
set(cnnc_tools)
foreach(tool cnnc cnnc-opt cnnc-run cnnc-import)
  if(TARGET ${tool})
    list(APPEND cnnc_tools ${tool})
    set_target_properties(${tool} PROPERTIES
      INSTALL_RPATH "\$ORIGIN/../${CMAKE_INSTALL_LIBDIR};${LLVM_LIBRARY_DIR}")
  endif()
endforeach()
install(TARGETS ${cnnc_tools} EXPORT cnncTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(EXPORT cnncTargets NAMESPACE cnnc:: DESTINATION ${CNNC_PACKAGE_DIR}
        FILE cnncTargets.cmake)
export(EXPORT cnncTargets NAMESPACE cnnc::
       FILE ${CNNC_BUILD_PACKAGE_DIR}/cnncTargets.cmake)

# cnncConfig.cmake, twice: for the install and for the build tree, which
# differ in where the headers and the Python package are.
set(CNNC_CONFIG_INCLUDE_DIR "\${cnnc_PREFIX}/${CMAKE_INSTALL_INCLUDEDIR}")
set(CNNC_CONFIG_PYTHON_DIR "\${cnnc_PREFIX}/${CNNC_PYTHON_INSTALL_DIR}")
configure_file(cmake/cnncConfig.cmake.in
               ${CMAKE_BINARY_DIR}/cmake-install/cnncConfig.cmake @ONLY)
set(CNNC_CONFIG_INCLUDE_DIR "${CMAKE_SOURCE_DIR}/target/cpu/include")
set(CNNC_CONFIG_PYTHON_DIR "${CMAKE_SOURCE_DIR}/python")
configure_file(cmake/cnncConfig.cmake.in
               ${CNNC_BUILD_PACKAGE_DIR}/cnncConfig.cmake @ONLY)

write_basic_package_version_file(
  ${CNNC_BUILD_PACKAGE_DIR}/cnncConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
foreach(file cnncAddModel.cmake)
  configure_file(cmake/${file} ${CNNC_BUILD_PACKAGE_DIR}/${file} COPYONLY)
endforeach()
# find_package(Cnnc), the name examples/fusion-plugin and older projects use.
configure_file(cmake/CnncConfigCompat.cmake.in
               ${CNNC_BUILD_PACKAGE_DIR}/CnncConfig.cmake COPYONLY)
configure_file(cmake/CnncConfigVersionCompat.cmake.in
               ${CNNC_BUILD_PACKAGE_DIR}/CnncConfigVersion.cmake COPYONLY)

install(FILES ${CMAKE_BINARY_DIR}/cmake-install/cnncConfig.cmake
              ${CNNC_BUILD_PACKAGE_DIR}/cnncConfigVersion.cmake
              ${CNNC_BUILD_PACKAGE_DIR}/cnncAddModel.cmake
              ${CNNC_BUILD_PACKAGE_DIR}/CnncConfig.cmake
              ${CNNC_BUILD_PACKAGE_DIR}/CnncConfigVersion.cmake
        DESTINATION ${CNNC_PACKAGE_DIR})

# The Python package (python/, docs/python.md), with its pyproject.toml so
# that `pip install P/share/cnnc/python` works too.
install(DIRECTORY python/cnnc DESTINATION ${CNNC_PYTHON_INSTALL_DIR}
        PATTERN "__pycache__" EXCLUDE)
install(FILES python/pyproject.toml python/README.md
        DESTINATION ${CNNC_PYTHON_INSTALL_DIR})
