#!/bin/sh
# Debian protobuf-compiler stands in for the protoc that Bazel would build.
exec /usr/bin/protoc "$@"
