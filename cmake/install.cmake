# `cmake --install build --prefix P`: P/bin/glitchgan, the static libraries in P/lib, their headers
# in P/include/glitchgan/<library>/ (a consumer writes #include <glitchgan/engine/ops.h>), and the
# CMake package glitchgan (P/lib/cmake/glitchgan) with the targets glitchgan::engine, ::nets,
# ::data, ::report and ::study. tests/install_consumer is a project that uses it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(GG_EXPORTED_LIBRARIES engine nets data report study)
foreach(name IN LISTS GG_EXPORTED_LIBRARIES)
  set_target_properties(gg_${name} PROPERTIES EXPORT_NAME ${name})
  add_library(glitchgan::${name} ALIAS gg_${name})
  install(TARGETS gg_${name} EXPORT glitchganTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
endforeach()
# The installed command keeps the run paths of the libraries it was linked with (OpenBLAS' OpenMP
# flavour lives outside the default search path).
set_target_properties(glitchgan PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)
install(TARGETS glitchgan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The headers keep their paths from the source root (engine/ops.h includes "engine/tensor.h").
install(DIRECTORY engine kernels nets data report study
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/glitchgan
        FILES_MATCHING PATTERN "*.h")

set(GG_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/glitchgan)
install(EXPORT glitchganTargets NAMESPACE glitchgan:: DESTINATION ${GG_PACKAGE_DIR})
configure_package_config_file(cmake/glitchganConfig.cmake.in ${PROJECT_BINARY_DIR}/glitchganConfig.cmake
                              INSTALL_DESTINATION ${GG_PACKAGE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/glitchganConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/glitchganConfig.cmake ${PROJECT_BINARY_DIR}/glitchganConfigVersion.cmake
        DESTINATION ${GG_PACKAGE_DIR})
