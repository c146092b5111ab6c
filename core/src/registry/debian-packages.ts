/** Which Debian 12 package provides a GStreamer element, for "install X" hints. */
const ELEMENT_PACKAGES: Readonly<Record<string, string>> = {
  audiotestsrc: 'gstreamer1.0-plugins-base',
  videotestsrc: 'gstreamer1.0-plugins-base',
  audioconvert: 'gstreamer1.0-plugins-base',
  audioresample: 'gstreamer1.0-plugins-base',
  videoconvert: 'gstreamer1.0-plugins-base',
  videoscale: 'gstreamer1.0-plugins-base',
  videorate: 'gstreamer1.0-plugins-base',
  vorbisenc: 'gstreamer1.0-plugins-base',
  theoraenc: 'gstreamer1.0-plugins-base',
  opusenc: 'gstreamer1.0-plugins-base',
  oggmux: 'gstreamer1.0-plugins-base',
  appsink: 'gstreamer1.0-plugins-base',
  appsrc: 'gstreamer1.0-plugins-base',
  capsfilter: 'libgstreamer1.0-0',
  queue: 'libgstreamer1.0-0',
  tee: 'libgstreamer1.0-0',
  fakesink: 'libgstreamer1.0-0',
  alsasrc: 'gstreamer1.0-alsa',
  v4l2src: 'gstreamer1.0-plugins-good',
  jpegdec: 'gstreamer1.0-plugins-good',
  vp8enc: 'gstreamer1.0-plugins-good',
  webmmux: 'gstreamer1.0-plugins-good',
  matroskamux: 'gstreamer1.0-plugins-good',
  lamemp3enc: 'gstreamer1.0-plugins-good',
  x264enc: 'gstreamer1.0-plugins-ugly',
};

export function debianPackageFor(element: string): string | undefined {
  return ELEMENT_PACKAGES[element];
}
