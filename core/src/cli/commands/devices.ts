import { listCaptureDevices } from '../../api/capture-devices';
import { summarize } from '../devices/snippets';
import { EXIT, type CommandIO } from '../io';

export const DEVICES_HELP = `Usage: flowcast devices [--json]

List the capture devices GStreamer's device monitor finds (Video4Linux cameras with their
formats, sizes and frame rates; ALSA capture devices), each with the flow component that uses it.
--json prints them as JSON.`;

export async function devicesCommand(options: { json?: boolean | undefined }, io: CommandIO): Promise<number> {
  const found = await listCaptureDevices();
  if (!found) {
    io.err('FC_ELEMENT_MISSING: gst-device-monitor-1.0 was not found. Fix: install gstreamer1.0-plugins-base-apps (scripts/setup.sh does)');
    return EXIT.failed;
  }
  const devices = found.map(summarize);
  if (options.json) {
    io.out(JSON.stringify(devices, null, 2));
    return EXIT.ok;
  }
  if (devices.length === 0) {
    io.out('No capture devices found: no camera (/dev/video*) and no ALSA capture device. Flows can use producer-test (a test pattern and tone) instead.');
    return EXIT.ok;
  }
  for (const device of devices) {
    io.out(`${device.kind === 'camera' ? 'Camera' : device.kind === 'microphone' ? 'Audio input' : 'Device'}: ${device.name}`);
    for (const offer of device.offers) io.out(`  offers ${offer}`);
    if (device.snippet) {
      io.out('  in a flow:');
      for (const line of device.snippet) io.out(`    ${line}`);
    } else io.out('  no Flowcast producer takes this device directly');
    io.out('');
  }
  return EXIT.ok;
}
