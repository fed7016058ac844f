// -----------------------------------------------------------------------------
// File: token_concat.h
// -----------------------------------------------------------------------------
//
// FL_INTERNAL_CONCAT(a, b) pastes two tokens after expanding them, so that
// FL_INTERNAL_CONCAT(name_, __COUNTER__) gives each registration macro use
// (FL_REGISTER_HOOK, FL_REGISTER_SCENARIO) a variable name of its own.

#ifndef FAULTLINE_FRAMEWORK_TOKEN_CONCAT_H_
#define FAULTLINE_FRAMEWORK_TOKEN_CONCAT_H_

#define FL_INTERNAL_CONCAT(a, b) FL_INTERNAL_CONCAT2(a, b)
#define FL_INTERNAL_CONCAT2(a, b) a##b

#endif  // FAULTLINE_FRAMEWORK_TOKEN_CONCAT_H_
