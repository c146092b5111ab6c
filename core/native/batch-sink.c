/*
 * flowcastbatchsink: the GStreamer sink that consumers of a muxed stream (streamer-http,
 * recorder-disk) read it from, registered in this process when core's addon loads (their
 * descriptors list it as a bundled element). core/src/media/batch-sink.ts is its JavaScript side.
 *
 * Why not appsink: taking a buffer from appsink in JavaScript costs a libuv pool thread blocked
 * on each pull, a wake-up of the main thread per buffer and a caps object built per sample. This
 * sink only queues each buffer (a reference, no copy) on its streaming thread. JavaScript takes
 * the whole queue when it wants it: once a second while nobody listens, and on a wake-up per
 * buffer while somebody does. So an idle stream costs about what it costs under gst-launch-1.0.
 *
 * An element finds its queue (a "channel") by the integer property `channel`, opened beforehand
 * by JavaScript; the table of channels is process-wide because GStreamer creates elements by
 * factory name, with nothing else to hand them.
 *
 *   openChannel(onWake) -> id      onWake() is called on the main thread when buffers are waiting
 *                                  and a wake-up was asked for, or when the caps changed
 *   take(id) -> null | { buffers: Buffer[], ages: number[] (ms since each arrived),
 *                        flags: number[], pts: number[] (ms of stream time, -1 when none),
 *                        latencies: number[] (ms: the pipeline clock's running time when each
 *                        reached the sink less the buffer's running time, -1 when not known),
 *                        caps?: { name: string, streamheader: Buffer[] } }
 *   wakeOnEachBuffer(id, bool)     whether onWake comes for every buffer (else only for caps)
 *   closeChannel(id)
 */
#include <gst/base/gstbasesink.h>
#include <gst/gst.h>
#include <node_api.h>

#include "batch-sink.h"
#include "napi-util.h"

/* ---- channels: a queue of buffers between a streaming thread and JavaScript ---- */

typedef struct {
  GstBuffer *buffer;
  gint64 arrived; /* g_get_monotonic_time(), µs */
  gint64 latency; /* ns, or -1 (see buffer_latency) */
} Queued;

typedef struct {
  gint refs;
  GMutex lock;
  GQueue queue; /* of Queued* */
  GstCaps *caps;
  gboolean caps_changed;
  gboolean wake_on_buffer;
  gboolean wake_pending;
  gboolean open;
  napi_threadsafe_function wake;
} Channel;

static GMutex channels_lock;
static GHashTable *channels; /* id -> Channel* */
static gint next_channel_id = 1;

static void queued_free(gpointer data) {
  Queued *q = data;
  gst_buffer_unref(q->buffer);
  g_free(q);
}

static void channel_unref(Channel *channel) {
  if (!g_atomic_int_dec_and_test(&channel->refs)) return;
  g_queue_clear_full(&channel->queue, queued_free);
  if (channel->caps) gst_caps_unref(channel->caps);
  g_mutex_clear(&channel->lock);
  g_free(channel);
}

/* The channel with this id, with a reference for the caller; NULL when there is none. */
static Channel *channel_get(gint id) {
  g_mutex_lock(&channels_lock);
  Channel *channel = channels ? g_hash_table_lookup(channels, GINT_TO_POINTER(id)) : NULL;
  if (channel) g_atomic_int_inc(&channel->refs);
  g_mutex_unlock(&channels_lock);
  return channel;
}

/* Called with channel->lock held. */
static void channel_wake(Channel *channel) {
  if (!channel->open || channel->wake_pending) return;
  channel->wake_pending = TRUE;
  napi_call_threadsafe_function(channel->wake, NULL, napi_tsfn_nonblocking);
}

/* ---- the element ---- */

#define FLOWCAST_TYPE_BATCH_SINK (flowcast_batch_sink_get_type())
G_DECLARE_FINAL_TYPE(FlowcastBatchSink, flowcast_batch_sink, FLOWCAST, BATCH_SINK, GstBaseSink)

struct _FlowcastBatchSink {
  GstBaseSink parent;
  gint channel_id;
  Channel *channel; /* from start() to stop() */
};

G_DEFINE_TYPE(FlowcastBatchSink, flowcast_batch_sink, GST_TYPE_BASE_SINK)

enum { PROP_0, PROP_CHANNEL };

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

static void set_property(GObject *object, guint id, const GValue *value, GParamSpec *spec) {
  FlowcastBatchSink *self = FLOWCAST_BATCH_SINK(object);
  if (id == PROP_CHANNEL) self->channel_id = g_value_get_int(value);
  else G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, spec);
}

static void get_property(GObject *object, guint id, GValue *value, GParamSpec *spec) {
  FlowcastBatchSink *self = FLOWCAST_BATCH_SINK(object);
  if (id == PROP_CHANNEL) g_value_set_int(value, self->channel_id);
  else G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, spec);
}

static gboolean start(GstBaseSink *sink) {
  FlowcastBatchSink *self = FLOWCAST_BATCH_SINK(sink);
  self->channel = channel_get(self->channel_id);
  if (!self->channel) {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("no channel %d is open for this sink", self->channel_id), (NULL));
    return FALSE;
  }
  return TRUE;
}

static gboolean stop(GstBaseSink *sink) {
  FlowcastBatchSink *self = FLOWCAST_BATCH_SINK(sink);
  if (self->channel) channel_unref(self->channel);
  self->channel = NULL;
  return TRUE;
}

static gboolean set_caps(GstBaseSink *sink, GstCaps *caps) {
  Channel *channel = FLOWCAST_BATCH_SINK(sink)->channel;
  if (!channel) return FALSE;
  g_mutex_lock(&channel->lock);
  gst_caps_replace(&channel->caps, caps);
  channel->caps_changed = TRUE;
  channel_wake(channel);
  g_mutex_unlock(&channel->lock);
  return TRUE;
}

/*
 * How old the buffer is as it reaches the sink: the pipeline clock's running time now less the
 * buffer's running time (its PTS in the segment), in ns. That is the time capture, encoding and
 * muxing took (a muxer that holds data back adds what it holds). -1 when it cannot be known: no
 * clock or no PTS (stream headers), or a buffer ahead of the clock (a source that is not live
 * runs as fast as it can: its buffers have no age).
 */
static gint64 buffer_latency(GstBaseSink *sink, GstBuffer *buffer) {
  GstClockTime pts = GST_BUFFER_PTS(buffer);
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return -1;
  GstClock *clock = gst_element_get_clock(GST_ELEMENT(sink));
  if (!clock) return -1;
  GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  GstClockTime base = gst_element_get_base_time(GST_ELEMENT(sink));
  GST_OBJECT_LOCK(sink);
  guint64 running = gst_segment_to_running_time(&sink->segment, GST_FORMAT_TIME, pts);
  GST_OBJECT_UNLOCK(sink);
  if (!GST_CLOCK_TIME_IS_VALID(running) || !GST_CLOCK_TIME_IS_VALID(now) || now < base || now - base < running) return -1;
  return (gint64)(now - base - running);
}

static GstFlowReturn render(GstBaseSink *sink, GstBuffer *buffer) {
  Channel *channel = FLOWCAST_BATCH_SINK(sink)->channel;
  if (!channel) return GST_FLOW_ERROR;
  Queued *q = g_new(Queued, 1);
  q->buffer = gst_buffer_ref(buffer);
  q->arrived = g_get_monotonic_time();
  q->latency = buffer_latency(sink, buffer);
  g_mutex_lock(&channel->lock);
  if (channel->open) {
    g_queue_push_tail(&channel->queue, q);
    q = NULL;
    if (channel->wake_on_buffer) channel_wake(channel);
  }
  g_mutex_unlock(&channel->lock);
  if (q) queued_free(q); /* JavaScript closed the channel: nobody will take it */
  return GST_FLOW_OK;
}

static void flowcast_batch_sink_class_init(FlowcastBatchSinkClass *klass) {
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseSinkClass *sink_class = GST_BASE_SINK_CLASS(klass);
  object_class->set_property = set_property;
  object_class->get_property = get_property;
  g_object_class_install_property(object_class, PROP_CHANNEL,
                                  g_param_spec_int("channel", "Channel", "The channel JavaScript opened for this sink", 0, G_MAXINT, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  gst_element_class_set_static_metadata(element_class, "Flowcast batch sink", "Sink", "Queues buffers for JavaScript to take in batches", "Flowcast");
  gst_element_class_add_static_pad_template(element_class, &sink_template);
  sink_class->start = start;
  sink_class->stop = stop;
  sink_class->set_caps = set_caps;
  sink_class->render = render;
}

static void flowcast_batch_sink_init(FlowcastBatchSink *self) {
  /* A live stream for listeners: hand buffers on as they come, like appsink sync=false. */
  gst_base_sink_set_sync(GST_BASE_SINK(self), FALSE);
  gst_base_sink_set_qos_enabled(GST_BASE_SINK(self), FALSE);
}

/* ---- the JavaScript side ---- */

/* A channel id argument, or 0 after throwing. */
static gint channel_arg(napi_env env, napi_callback_info info, size_t want, napi_value *args) {
  return int_arg(env, info, want, args, 1, "a channel id is required");
}

static void call_wake(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  (void)data;
  if (env == NULL || callback == NULL) return;
  napi_value global;
  napi_get_global(env, &global);
  napi_call_function(env, global, callback, 0, NULL, NULL);
}

static napi_value open_channel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  napi_valuetype type = napi_undefined;
  if (argc < 1 || napi_typeof(env, args[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "openChannel needs the function to call when buffers wait");
    return NULL;
  }
  Channel *channel = g_new0(Channel, 1);
  channel->refs = 1; /* the table's */
  g_mutex_init(&channel->lock);
  g_queue_init(&channel->queue);
  napi_value name;
  napi_create_string_utf8(env, "flowcastbatchsink", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, args[0], NULL, name, 0, 1, NULL, NULL, NULL, call_wake, &channel->wake) != napi_ok) {
    channel_unref(channel);
    napi_throw_error(env, NULL, "could not create the wake-up function");
    return NULL;
  }
  /* A waiting stream must not keep the process alive by itself. */
  napi_unref_threadsafe_function(env, channel->wake);
  channel->open = TRUE;
  g_mutex_lock(&channels_lock);
  if (!channels) channels = g_hash_table_new(g_direct_hash, g_direct_equal);
  gint id = next_channel_id++;
  g_hash_table_insert(channels, GINT_TO_POINTER(id), channel);
  g_mutex_unlock(&channels_lock);
  return js_number(env, id);
}

static napi_value copy_buffer(napi_env env, GstBuffer *buffer) {
  GstMapInfo map;
  napi_value result;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    napi_create_buffer(env, 0, NULL, &result);
    return result;
  }
  napi_create_buffer_copy(env, map.size, map.data, NULL, &result);
  gst_buffer_unmap(buffer, &map);
  return result;
}

/* { name, streamheader: Buffer[] } from the caps' first structure. */
static napi_value caps_object(napi_env env, GstCaps *caps) {
  napi_value result, name, headers;
  napi_create_object(env, &result);
  napi_create_array(env, &headers);
  const GstStructure *structure = caps && gst_caps_get_size(caps) > 0 ? gst_caps_get_structure(caps, 0) : NULL;
  napi_create_string_utf8(env, structure ? gst_structure_get_name(structure) : "", NAPI_AUTO_LENGTH, &name);
  const GValue *array = structure ? gst_structure_get_value(structure, "streamheader") : NULL;
  if (array && GST_VALUE_HOLDS_ARRAY(array)) {
    for (guint i = 0; i < gst_value_array_get_size(array); i++) {
      const GValue *value = gst_value_array_get_value(array, i);
      if (!GST_VALUE_HOLDS_BUFFER(value)) continue;
      napi_set_element(env, headers, i, copy_buffer(env, gst_value_get_buffer(value)));
    }
  }
  napi_set_named_property(env, result, "name", name);
  napi_set_named_property(env, result, "streamheader", headers);
  return result;
}

/* The buffer's GStreamer flags that the streamer uses, as native.ts's BufferFlag bits. */
static double buffer_flags(GstBuffer *buffer) {
  guint flags = 0;
  if (GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT)) flags |= 1;
  if (GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_HEADER)) flags |= 2;
  return flags;
}

static napi_value take(napi_env env, napi_callback_info info) {
  napi_value args[1];
  gint id = channel_arg(env, info, 1, args);
  if (!id) return NULL;
  Channel *channel = channel_get(id);
  napi_value result;
  napi_get_null(env, &result);
  if (!channel) return result;
  GQueue taken = G_QUEUE_INIT;
  GstCaps *caps = NULL;
  g_mutex_lock(&channel->lock);
  taken = channel->queue;
  g_queue_init(&channel->queue);
  if (channel->caps_changed && channel->caps) caps = gst_caps_ref(channel->caps);
  channel->caps_changed = FALSE;
  channel->wake_pending = FALSE;
  g_mutex_unlock(&channel->lock);

  if (taken.length > 0 || caps) {
    napi_value buffers, ages, flags, pts, latencies;
    napi_create_object(env, &result);
    napi_create_array_with_length(env, taken.length, &buffers);
    napi_create_array_with_length(env, taken.length, &ages);
    napi_create_array_with_length(env, taken.length, &flags);
    napi_create_array_with_length(env, taken.length, &pts);
    napi_create_array_with_length(env, taken.length, &latencies);
    gint64 now = g_get_monotonic_time();
    guint i = 0;
    for (GList *link = taken.head; link; link = link->next, i++) {
      Queued *q = link->data;
      napi_set_element(env, buffers, i, copy_buffer(env, q->buffer));
      napi_set_element(env, ages, i, js_number(env, (double)(now - q->arrived) / 1000.0));
      napi_set_element(env, flags, i, js_number(env, buffer_flags(q->buffer)));
      GstClockTime stamp = GST_BUFFER_PTS(q->buffer);
      napi_set_element(env, pts, i, js_number(env, GST_CLOCK_TIME_IS_VALID(stamp) ? (double)stamp / GST_MSECOND : -1));
      napi_set_element(env, latencies, i, js_number(env, q->latency < 0 ? -1 : (double)q->latency / GST_MSECOND));
    }
    napi_set_named_property(env, result, "buffers", buffers);
    napi_set_named_property(env, result, "ages", ages);
    napi_set_named_property(env, result, "flags", flags);
    napi_set_named_property(env, result, "pts", pts);
    napi_set_named_property(env, result, "latencies", latencies);
    if (caps) napi_set_named_property(env, result, "caps", caps_object(env, caps));
  }
  g_queue_clear_full(&taken, queued_free);
  if (caps) gst_caps_unref(caps);
  channel_unref(channel);
  return result;
}

static napi_value wake_on_each_buffer(napi_env env, napi_callback_info info) {
  napi_value args[2];
  gint id = channel_arg(env, info, 2, args);
  if (!id) return NULL;
  bool on = false;
  napi_get_value_bool(env, args[1], &on);
  Channel *channel = channel_get(id);
  if (!channel) return NULL;
  g_mutex_lock(&channel->lock);
  channel->wake_on_buffer = on;
  if (on && channel->queue.length > 0) channel_wake(channel);
  g_mutex_unlock(&channel->lock);
  channel_unref(channel);
  return NULL;
}

static napi_value close_channel(napi_env env, napi_callback_info info) {
  napi_value args[1];
  gint id = channel_arg(env, info, 1, args);
  if (!id) return NULL;
  g_mutex_lock(&channels_lock);
  Channel *channel = channels ? g_hash_table_lookup(channels, GINT_TO_POINTER(id)) : NULL;
  if (channel) g_hash_table_remove(channels, GINT_TO_POINTER(id));
  g_mutex_unlock(&channels_lock);
  if (!channel) return NULL;
  g_mutex_lock(&channel->lock);
  channel->open = FALSE;
  g_queue_clear_full(&channel->queue, queued_free);
  g_mutex_unlock(&channel->lock);
  /* No streaming thread calls it once `open` is false. */
  napi_release_threadsafe_function(channel->wake, napi_tsfn_abort);
  channel_unref(channel); /* the table's reference; a running sink still holds its own */
  return NULL;
}

gboolean batch_sink_register(napi_env env, napi_value exports) {
  GError *error = NULL;
  if (!gst_init_check(NULL, NULL, &error)) {
    napi_throw_error(env, NULL, error ? error->message : "GStreamer could not be initialised");
    g_clear_error(&error);
    return FALSE;
  }
  if (!gst_element_register(NULL, "flowcastbatchsink", GST_RANK_NONE, FLOWCAST_TYPE_BATCH_SINK)) {
    napi_throw_error(env, NULL, "could not register the GStreamer element flowcastbatchsink");
    return FALSE;
  }
  napi_property_descriptor methods[] = {
      {"openChannel", NULL, open_channel, NULL, NULL, NULL, napi_default, NULL},
      {"take", NULL, take, NULL, NULL, NULL, napi_default, NULL},
      {"wakeOnEachBuffer", NULL, wake_on_each_buffer, NULL, NULL, NULL, napi_default, NULL},
      {"closeChannel", NULL, close_channel, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return TRUE;
}
