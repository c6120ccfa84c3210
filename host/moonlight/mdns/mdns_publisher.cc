// host/moonlight/mdns/mdns_publisher.cc — see mdns_publisher.h.
#include "host/moonlight/mdns/mdns_publisher.h"

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/thread-watch.h>

#include <cctype>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace lumen::moonlight::mdns {

std::string InstanceName(std::string_view hostname) {
  std::string out;
  for (char c : hostname.substr(0, 63)) {
    if (c == ' ') c = '-';
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) break;
    out.push_back(c);
  }
  return out.empty() ? std::string("lumen") : out;
}

// Everything below runs on Avahi's poll thread (callbacks) or under its lock.
struct Publisher::Impl {
  AvahiThreadedPoll* poll = nullptr;
  AvahiClient* client = nullptr;
  AvahiEntryGroup* group = nullptr;
  uint16_t port = 0;
  mutable std::mutex mu;  // guards `st` for state() from other threads
  PublisherState st;

  void SetError(const std::string& what, int err) {
    const std::string msg = absl::StrCat(what, ": ", avahi_strerror(err));
    spdlog::warn("mdns: {}", msg);
    std::lock_guard l(mu);
    st.last_error = msg;
  }

  std::string Name() {
    std::lock_guard l(mu);
    return st.name;
  }

  void Rename() {
    std::lock_guard l(mu);
    char* alt = avahi_alternative_service_name(st.name.c_str());
    spdlog::info("mdns: the name \"{}\" is taken, using \"{}\"", st.name, alt);
    st.name = alt;
    avahi_free(alt);
    ++st.collisions;
    st.established = false;
  }

  // Adds the service to the (new or reset) entry group and commits it.
  void Register(AvahiClient* c) {
    if (group == nullptr) {
      group = avahi_entry_group_new(c, &Impl::OnGroup, this);
      if (group == nullptr) {
        SetError("entry group", avahi_client_errno(c));
        return;
      }
    }
    if (!avahi_entry_group_is_empty(group)) return;
    for (int attempt = 0; attempt < 16; ++attempt) {
      const std::string name = Name();
      const int r = avahi_entry_group_add_service(group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                  AvahiPublishFlags(0), name.c_str(), kServiceType,
                                                  nullptr, nullptr, port, nullptr);
      if (r == AVAHI_ERR_COLLISION) {  // a local service has the name already
        Rename();
        avahi_entry_group_reset(group);
        continue;
      }
      if (r < 0) {
        SetError("add service", r);
        return;
      }
      if (const int cr = avahi_entry_group_commit(group); cr < 0) {
        SetError("commit", cr);
        return;
      }
      std::lock_guard l(mu);
      ++st.registrations;
      return;
    }
  }

  static void OnGroup(AvahiEntryGroup* g, AvahiEntryGroupState state, void* self_ptr) {
    Impl* self = static_cast<Impl*>(self_ptr);
    self->group = g;  // may run inside avahi_entry_group_new, before it returned
    switch (state) {
      case AVAHI_ENTRY_GROUP_ESTABLISHED: {
        const std::string name = self->Name();
        spdlog::info("mdns: announced \"{}\" ({}, port {})", name, kServiceType, self->port);
        std::lock_guard l(self->mu);
        self->st.established = true;
        break;
      }
      case AVAHI_ENTRY_GROUP_COLLISION:  // another host on the network has the name
        self->Rename();
        avahi_entry_group_reset(g);
        self->Register(avahi_entry_group_get_client(g));
        break;
      case AVAHI_ENTRY_GROUP_FAILURE:
        self->SetError("entry group failed", avahi_client_errno(avahi_entry_group_get_client(g)));
        break;
      default:
        break;
    }
  }

  static void OnClient(AvahiClient* c, AvahiClientState state, void* self_ptr) {
    Impl* self = static_cast<Impl*>(self_ptr);
    self->client = c;  // may run inside avahi_client_new, before it returned
    switch (state) {
      case AVAHI_CLIENT_S_RUNNING: {
        {
          std::lock_guard l(self->mu);
          self->st.daemon_running = true;
        }
        self->Register(c);
        break;
      }
      case AVAHI_CLIENT_S_COLLISION:    // our host name collides: withdraw until it is sorted
      case AVAHI_CLIENT_S_REGISTERING:  // the daemon re-registers its host name
        if (self->group != nullptr) avahi_entry_group_reset(self->group);
        {
          std::lock_guard l(self->mu);
          self->st.established = false;
        }
        break;
      case AVAHI_CLIENT_CONNECTING: {  // no daemon (yet, or it went away): wait for it
        // The daemon's groups died with its connection: start from a new one.
        self->group = nullptr;
        spdlog::info("mdns: waiting for avahi-daemon");
        std::lock_guard l(self->mu);
        self->st.daemon_running = false;
        self->st.established = false;
        break;
      }
      case AVAHI_CLIENT_FAILURE: {
        const int err = avahi_client_errno(c);
        {
          std::lock_guard l(self->mu);
          self->st.daemon_running = false;
          self->st.established = false;
        }
        if (err == AVAHI_ERR_DISCONNECTED) {
          // The daemon went away (restart, package upgrade). A client cannot reconnect:
          // make a new one, which waits for the daemon (NO_FAIL) and registers again.
          spdlog::info("mdns: avahi-daemon disconnected; waiting for it to come back");
          avahi_client_free(c);  // frees the entry group too
          self->client = nullptr;
          self->group = nullptr;
          int e = 0;
          if (avahi_client_new(avahi_threaded_poll_get(self->poll), AVAHI_CLIENT_NO_FAIL,
                               &Impl::OnClient, self, &e) == nullptr) {
            self->SetError("avahi client", e);
          }
        } else {
          self->SetError("avahi client", err);
        }
        break;
      }
    }
  }
};

absl::StatusOr<std::unique_ptr<Publisher>> Publisher::Start(const std::string& instance_name,
                                                            uint16_t port) {
  auto impl = std::make_unique<Impl>();
  impl->port = port;
  impl->st.name = instance_name;
  impl->poll = avahi_threaded_poll_new();
  if (impl->poll == nullptr) return absl::InternalError("avahi_threaded_poll_new failed");
  int err = 0;
  // NO_FAIL: no daemon is not an error; the client connects when one appears.
  impl->client = avahi_client_new(avahi_threaded_poll_get(impl->poll), AVAHI_CLIENT_NO_FAIL,
                                  &Impl::OnClient, impl.get(), &err);
  if (impl->client == nullptr) {
    avahi_threaded_poll_free(impl->poll);
    return absl::UnavailableError(absl::StrCat("avahi client: ", avahi_strerror(err)));
  }
  if (avahi_threaded_poll_start(impl->poll) < 0) {
    avahi_client_free(impl->client);
    avahi_threaded_poll_free(impl->poll);
    return absl::InternalError("avahi_threaded_poll_start failed");
  }
  return std::unique_ptr<Publisher>(new Publisher(std::move(impl)));
}

Publisher::Publisher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Publisher::~Publisher() {
  avahi_threaded_poll_stop(impl_->poll);
  // Frees the entry group: the service is withdrawn. (No client when re-creating it after a
  // daemon restart failed.)
  if (impl_->client != nullptr) avahi_client_free(impl_->client);
  avahi_threaded_poll_free(impl_->poll);
}

PublisherState Publisher::state() const {
  std::lock_guard l(impl_->mu);
  return impl_->st;
}

}  // namespace lumen::moonlight::mdns
