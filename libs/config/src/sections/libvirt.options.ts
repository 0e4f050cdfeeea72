import { IsIn, IsNotEmpty, IsString } from 'class-validator';
import { Section, StrOpt } from '../option.decorator';

/** The libvirt virt driver (Nova's [libvirt] section, the options we honour). */
@Section('libvirt')
export class LibvirtOptions {
  @StrOpt(
    'Libvirt connection URI (qemu:///system for KVM/QEMU; test:///default is the ' +
      'in-process test hypervisor, no daemon, no real guests).',
  )
  @IsString()
  @IsNotEmpty()
  connection_uri: string = 'qemu:///system';

  @StrOpt(
    'Domain type of the guests: kvm, qemu (emulation) or test (test:/// URIs always use test).',
  )
  @IsIn(['kvm', 'qemu', 'test'])
  virt_type: 'kvm' | 'qemu' | 'test' = 'kvm';
}
