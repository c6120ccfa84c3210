#include "host/moonlight/http/xml_reply.h"

#include <sstream>

namespace lumen::moonlight::http {

XmlReply::XmlReply(int status_code, const std::string& status_message) {
  pugi::xml_node decl = doc_.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  root_ = doc_.append_child("root");
  root_.append_attribute("status_code") = status_code;
  if (!status_message.empty()) {
    root_.append_attribute("status_message") = status_message.c_str();
  }
}

pugi::xml_node XmlReply::AddChild(pugi::xml_node parent, std::string_view name,
                                  std::string_view value) {
  pugi::xml_node n = parent.append_child(std::string(name).c_str());
  n.text().set(std::string(value).c_str());
  return n;
}

pugi::xml_node XmlReply::Add(std::string_view name, std::string_view value) {
  return AddChild(root_, name, value);
}

pugi::xml_node XmlReply::Add(std::string_view name, long long value) {
  return AddChild(root_, name, std::to_string(value));
}

pugi::xml_node XmlReply::AddEmpty(std::string_view name) {
  return root_.append_child(std::string(name).c_str());
}

void XmlReply::SetAttribute(std::string_view name, std::string_view value) {
  std::string n(name);
  pugi::xml_attribute a = root_.attribute(n.c_str());
  if (!a) a = root_.append_attribute(n.c_str());
  a = std::string(value).c_str();
}

std::string XmlReply::ToString() const {
  std::ostringstream os;
  doc_.save(os, "", pugi::format_raw, pugi::encoding_utf8);
  return os.str();
}

}  // namespace lumen::moonlight::http
