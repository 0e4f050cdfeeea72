import { validateExtraSpecs } from './extra-spec-validation';

describe('validateExtraSpecs (2.86)', () => {
  it('accepts known keys with valid values and keys of unregistered namespaces', () => {
    expect(() =>
      validateExtraSpecs({
        'hw:cpu_policy': 'dedicated',
        'hw:numa_nodes': '2',
        'hw:numa_cpus.0': '0-3,^2',
        'resources:VCPU': '4',
        'resources1:CUSTOM_GPU': '1',
        'trait:HW_CPU_X86_AVX2': 'required',
        'aggregate_instance_extra_specs:ssd': 'true',
        'acme:anything': 'goes',
        plainkey: 'x',
      }),
    ).not.toThrow();
  });

  it.each([
    [{ 'hw:cpu_policy': 'fast' }, /hw:cpu_policy' must be one of dedicated, shared, mixed/],
    [{ 'hw:numa_nodes': '0' }, /must be an integer from 1/],
    [{ 'hw:not_a_thing': '1' }, /not a registered extra spec in namespace 'hw'/],
    [{ 'trait:FOO': 'maybe' }, /must be one of required, forbidden/],
    [{ 'resources:VCPU': 'two' }, /must be an integer/],
    [{ 'os:monitors': '17' }, /from 1 to 16/],
  ])('rejects %j', (specs, message) => {
    expect(() => validateExtraSpecs(specs as Record<string, string>)).toThrow(message);
  });
});
