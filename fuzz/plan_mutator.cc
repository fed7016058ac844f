// Structure-aware Plan mutations through protobuf reflection (see
// plan_mutator.h).
#include "fuzz/plan_mutator.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "framework/rng.h"

namespace faultline {
namespace fuzz {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct Slot {
  Message* message;
  const FieldDescriptor* field;
};

// Every field of `message` and of the messages set inside it.
void CollectSlots(Message* message, std::vector<Slot>* slots,
                  std::vector<std::string>* strings) {
  const Reflection* reflection = message->GetReflection();
  const auto* descriptor = message->GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    slots->push_back({message, field});
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      if (field->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(*message, field); ++k) {
          strings->push_back(reflection->GetRepeatedString(*message, field, k));
        }
      } else if (reflection->HasField(*message, field)) {
        strings->push_back(reflection->GetString(*message, field));
      }
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int k = 0; k < reflection->FieldSize(*message, field); ++k) {
        CollectSlots(reflection->MutableRepeatedMessage(message, field, k),
                     slots, strings);
      }
    } else if (reflection->HasField(*message, field)) {
      CollectSlots(reflection->MutableMessage(message, field), slots, strings);
    }
  }
}

int64_t SignedValue(CounterRng& rng, int64_t old, int64_t min, int64_t max) {
  switch (rng.Below(8)) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return min;
    case 3:
      return max;
    case 4:
      return old < max ? old + 1 : old;
    case 5:
      return old > min ? old - 1 : old;
    case 6:
      return static_cast<int64_t>(rng.Below(1000));
    default:
      return old / 2;
  }
}

uint64_t UnsignedValue(CounterRng& rng, uint64_t old, uint64_t max) {
  switch (rng.Below(7)) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return max;
    case 3:
      return old < max ? old + 1 : old;
    case 4:
      return old > 0 ? old - 1 : old;
    case 5:
      return rng.Below(1000);
    default:
      return old * 2 <= max ? old * 2 : old;
  }
}

std::string StringValue(CounterRng& rng, const std::string& old,
                        const std::vector<std::string>& strings) {
  if (!strings.empty() && rng.Below(4) != 0) {
    return strings[rng.Below(strings.size())];
  }
  if (rng.Below(2) == 0) return old.substr(0, rng.Below(old.size() + 1));
  // A typo: one character replaced (did-you-mean territory).
  std::string typo = old.empty() ? "x" : old;
  typo[rng.Below(typo.size())] = static_cast<char>('a' + rng.Below(26));
  return typo;
}

// Sets a singular scalar field of `m` (or adds to a repeated one).
void SetScalar(CounterRng& rng, Message* m, const FieldDescriptor* f,
               const std::vector<std::string>& strings) {
  const Reflection* r = m->GetReflection();
  const bool repeated = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      const int64_t v = SignedValue(rng, repeated ? 0 : r->GetInt32(*m, f),
                                    std::numeric_limits<int32_t>::min(),
                                    std::numeric_limits<int32_t>::max());
      repeated ? r->AddInt32(m, f, static_cast<int32_t>(v))
               : r->SetInt32(m, f, static_cast<int32_t>(v));
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      const int64_t v = SignedValue(rng, repeated ? 0 : r->GetInt64(*m, f),
                                    std::numeric_limits<int64_t>::min(),
                                    std::numeric_limits<int64_t>::max());
      repeated ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      const uint64_t v = UnsignedValue(rng, repeated ? 0 : r->GetUInt32(*m, f),
                                       std::numeric_limits<uint32_t>::max());
      repeated ? r->AddUInt32(m, f, static_cast<uint32_t>(v))
               : r->SetUInt32(m, f, static_cast<uint32_t>(v));
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      const uint64_t v = UnsignedValue(rng, repeated ? 0 : r->GetUInt64(*m, f),
                                       std::numeric_limits<uint64_t>::max());
      repeated ? r->AddUInt64(m, f, v) : r->SetUInt64(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      static constexpr double kValues[] = {0, 0.5, 1, 1e-9, -1, 2};
      const double v = kValues[rng.Below(6)];
      repeated ? r->AddDouble(m, f, v) : r->SetDouble(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      const float v = static_cast<float>(rng.Below(3)) / 2;
      repeated ? r->AddFloat(m, f, v) : r->SetFloat(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      const bool v = repeated ? rng.Below(2) == 0 : !r->GetBool(*m, f);
      repeated ? r->AddBool(m, f, v) : r->SetBool(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = f->enum_type();
      const int v =
          e->value(static_cast<int>(rng.Below(e->value_count())))->number();
      repeated ? r->AddEnumValue(m, f, v) : r->SetEnumValue(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      const std::string v =
          StringValue(rng, repeated ? "" : r->GetString(*m, f), strings);
      repeated ? r->AddString(m, f, v) : r->SetString(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
}

void MutateOnce(CounterRng& rng, Plan* plan) {
  std::vector<Slot> slots;
  std::vector<std::string> strings;
  CollectSlots(plan, &slots, &strings);
  if (slots.empty()) return;
  const Slot slot = slots[rng.Below(slots.size())];
  Message* m = slot.message;
  const FieldDescriptor* f = slot.field;
  const Reflection* r = m->GetReflection();
  if (f->is_map()) {
    // Map entries are messages (key, value): add one from plan strings.
    Message* entry = r->AddMessage(m, f);
    for (int i = 0; i < entry->GetDescriptor()->field_count(); ++i) {
      SetScalar(rng, entry, entry->GetDescriptor()->field(i), strings);
    }
    return;
  }
  if (f->is_repeated()) {
    const int size = r->FieldSize(*m, f);
    const uint64_t choice = rng.Below(3);
    if (size > 0 && choice == 0) {
      r->RemoveLast(m, f);
    } else if (size > 0 && choice == 1 &&
               f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      // A copy of an existing element (a rule twice, say), then changed
      // later by another draw.
      const Message& from =
          r->GetRepeatedMessage(*m, f, static_cast<int>(rng.Below(size)));
      r->AddMessage(m, f)->CopyFrom(from);
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      r->AddMessage(m, f);
    } else {
      SetScalar(rng, m, f, strings);
    }
    return;
  }
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    // Set an empty one (picking a oneof member), or clear it.
    if (r->HasField(*m, f) && rng.Below(2) == 0) {
      r->ClearField(m, f);
    } else {
      r->MutableMessage(m, f);
    }
    return;
  }
  if (r->HasField(*m, f) && rng.Below(8) == 0) {
    r->ClearField(m, f);
    return;
  }
  SetScalar(rng, m, f, strings);
}

}  // namespace

void MutatePlan(uint64_t seed, Plan* plan) {
  CounterRng rng(seed);
  const uint64_t count = 1 + rng.Below(3);
  for (uint64_t i = 0; i < count; ++i) MutateOnce(rng, plan);
}

}  // namespace fuzz
}  // namespace faultline
