import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cameraModes, parseMonitorOutput } from '@flowcast/core';
import { describeMode, offers } from '../src/camera-offers';

// A webcam as gst-device-monitor-1.0 describes it (no camera on the test machines: this is what
// producer-v4l's preflight compares the flow's properties with).
const MONITOR = `Device found:

	name  : Integrated Camera: Integrated C
	class : Video/Source
	caps  : video/x-raw, format=(string)YUY2, width=(int)640, height=(int)480, pixel-aspect-ratio=(fraction)1/1, framerate=(fraction)30/1;
	        video/x-raw, format=(string)YUY2, width=(int)320, height=(int)240, pixel-aspect-ratio=(fraction)1/1, framerate=(fraction){ 30/1, 15/1 };
	        image/jpeg, width=(int)1280, height=(int)720, pixel-aspect-ratio=(fraction)1/1, framerate=(fraction)30/1;
	properties:
		api.v4l2.path = /dev/video0
		device.path = /dev/video0
	gst-launch-1.0 v4l2src device=/dev/video0 ! ...
`;

test('producer-v4l preflight: a mode the camera lists is accepted, any other is refused with what it offers', () => {
  const modes = cameraModes(parseMonitorOutput(MONITOR)[0]!);
  assert.ok(offers(modes, { format: 'YUY2', width: 640, height: 480, framerate: 30 }));
  assert.ok(offers(modes, { format: 'YUY2', width: 320, height: 240, framerate: 15 }));
  assert.ok(offers(modes, { format: 'MJPG', width: 1280, height: 720, framerate: 30 }));
  assert.ok(!offers(modes, { format: 'YUY2', width: 640, height: 480, framerate: 25 }), 'a rate it does not list');
  assert.ok(!offers(modes, { format: 'YUY2', width: 1280, height: 720, framerate: 30 }), 'a size only MJPG has');
  assert.ok(!offers(modes, { format: 'NV12', width: 640, height: 480, framerate: 30 }), 'a format it does not have');
  assert.deepEqual(modes.map(describeMode), ['YUY2 640x480 at 30 frames/s', 'YUY2 320x240 at 30 or 15 frames/s', 'MJPG 1280x720 at 30 frames/s']);
});
