// Holds the precompiled headers the test executables share (see cmake/preloop.cmake).
