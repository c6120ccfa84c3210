// Builds the compact nvhttp XML replies: <root status_code="..." [status_message="..."]>...</root>
// (protocol doc §2.2). Uses pugixml so every value is escaped correctly.
#ifndef LUMEN_HOST_MOONLIGHT_HTTP_XML_REPLY_H_
#define LUMEN_HOST_MOONLIGHT_HTTP_XML_REPLY_H_

#include <pugixml.hpp>
#include <string>
#include <string_view>

namespace lumen::moonlight::http {

class XmlReply {
 public:
  // status_code 200 means success; anything else should come with a message.
  explicit XmlReply(int status_code = 200, const std::string& status_message = "");

  // Appends <name>value</name> under the root (or under `parent` when given) and returns it.
  pugi::xml_node Add(std::string_view name, std::string_view value);
  pugi::xml_node Add(std::string_view name, long long value);
  pugi::xml_node AddChild(pugi::xml_node parent, std::string_view name, std::string_view value);
  pugi::xml_node AddEmpty(std::string_view name);
  void SetAttribute(std::string_view name, std::string_view value);
  pugi::xml_node root() { return root_; }

  // `<?xml version="1.0" encoding="utf-8"?>` followed by the root with no whitespace.
  std::string ToString() const;

 private:
  pugi::xml_document doc_;
  pugi::xml_node root_;
};

}  // namespace lumen::moonlight::http

#endif  // LUMEN_HOST_MOONLIGHT_HTTP_XML_REPLY_H_
